import { createAuthDeps } from "../../src/auth-deps.js";
import type { AuthDeps } from "../../src/auth/deps.js";
import { StoreUnavailableError } from "../../src/auth/ports/store.js";
import { loadConfig } from "../../src/config.js";
import { silentLogger } from "../../src/logger.js";
import { createMemoryStore } from "../../src/storage/memory-store.js";

/** The JWT secret of domain tests. */
export const UNIT_TEST_SECRET = "unit-test-secret-0123456789abcdefghijklmnop";

/**
 * The auth core's dependencies for a fast domain test: the configuration `env` gives (defaults otherwise), an
 * in-memory store unless one is passed, no rate limits, and any dependency replaced through `overrides`.
 */
export function testDeps(options: { env?: Record<string, string>; overrides?: Partial<AuthDeps>; now?: () => Date } = {}): AuthDeps {
  const config = loadConfig({ JWT_SECRET: UNIT_TEST_SECRET, ...options.env });
  const store = options.overrides?.store ?? createMemoryStore();
  return { ...createAuthDeps({ config, jwtSecret: UNIT_TEST_SECRET, store, log: silentLogger, now: options.now }), ...options.overrides };
}

/**
 * An in-memory store whose next security change, once `failNextChange()` is called, fails as a database outage
 * would: before anything is written. For tests that a change leaves nothing half done, and that a retry completes.
 */
export function storeFailingNextSecurityChange(): { store: ReturnType<typeof createMemoryStore>; failNextChange(): void } {
  const store = createMemoryStore();
  let failNext = false;
  const applySecurityChange = store.applySecurityChange.bind(store);
  store.applySecurityChange = (...args) => {
    if (!failNext) return applySecurityChange(...args);
    failNext = false;
    return Promise.reject(new StoreUnavailableError());
  };
  return {
    store,
    failNextChange: () => {
      failNext = true;
    },
  };
}
