import { expect, test, vi } from "vitest";
import { ConfigError, loadConfig } from "./config.js";
import { silentLogger } from "./logger.js";
import { checkUnsafeSettings } from "./production-safety.js";

const production = {
  NODE_ENV: "production",
  JWT_SECRET: "a-production-secret-0123456789-abcdefghijkl",
  MAIL_ENABLED: "false",
  TOTP_ENCRYPTION_KEY: "BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=",
};

/** @see issue 19 */
test("production refuses RATE_LIMIT_ENABLED=false unless PRODUCTION_OVERRIDES accepts it", () => {
  expect(() => loadConfig({ ...production, DATABASE_URL: "postgresql://db/app", RATE_LIMIT_ENABLED: "false" })).toThrow(/PRODUCTION_OVERRIDES=rate-limits-off/);
  const accepted = loadConfig({ ...production, DATABASE_URL: "postgresql://db/app", RATE_LIMIT_ENABLED: "false", PRODUCTION_OVERRIDES: "rate-limits-off" });
  expect(accepted.rateLimits.enabled).toBe(false);
  expect(loadConfig({ RATE_LIMIT_ENABLED: "false" }).rateLimits.enabled).toBe(false); // development: allowed (and warned)
  expect(() => loadConfig({ PRODUCTION_OVERRIDES: "everything" })).toThrow(/unknown everything/);
});

test("production refuses the embedded PostgreSQL as root unless PRODUCTION_OVERRIDES accepts it; unsafe settings are logged loudly", () => {
  const config = loadConfig(production);
  expect(() => checkUnsafeSettings(config, silentLogger, 0)).toThrow(ConfigError);
  expect(() => checkUnsafeSettings(config, silentLogger, 1000)).not.toThrow();
  expect(() => checkUnsafeSettings(loadConfig({ ...production, PRODUCTION_OVERRIDES: "embedded-as-root" }), silentLogger, 0)).not.toThrow();
  expect(() => checkUnsafeSettings(loadConfig({}), silentLogger, 0)).not.toThrow(); // development as root is fine

  const warn = vi.fn();
  checkUnsafeSettings(loadConfig({ RATE_LIMIT_ENABLED: "false" }), { ...silentLogger, warn }, 1000);
  expect(warn).toHaveBeenCalledWith(expect.stringMatching(/NO brute-force/));
});
