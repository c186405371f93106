import { createAuthDeps } from "../../src/auth-deps.js";
import type { AuthDeps } from "../../src/auth/deps.js";
import { loadConfig } from "../../src/config.js";
import { silentLogger } from "../../src/logger.js";
import { createMemoryStore } from "../../src/storage/memory-store.js";

/** The JWT secret of domain tests. */
export const UNIT_TEST_SECRET = "unit-test-secret-0123456789abcdefghijklmnop";

/**
 * The auth core's dependencies for a fast domain test: the configuration `env` gives (defaults otherwise), an
 * in-memory store unless one is passed, no rate limits, and any dependency replaced through `overrides`.
 */
export function testDeps(options: { env?: Record<string, string>; overrides?: Partial<AuthDeps> } = {}): AuthDeps {
  const config = loadConfig({ JWT_SECRET: UNIT_TEST_SECRET, ...options.env });
  const store = options.overrides?.store ?? createMemoryStore();
  return { ...createAuthDeps({ config, jwtSecret: UNIT_TEST_SECRET, store, log: silentLogger }), ...options.overrides };
}
