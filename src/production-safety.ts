import { ConfigError, type Config } from "./config.js";
import type { Logger } from "./logger.js";

/**
 * Start-up checks of settings that are unsafe in production and depend on the running process (loadConfig is
 * pure): the embedded PostgreSQL started as root is refused there unless PRODUCTION_OVERRIDES names
 * `embedded-as-root`. Every unsafe setting that stays on, accepted or not in production, is logged loudly.
 */
export function checkUnsafeSettings(config: Config, log: Logger, uid: number | undefined = process.getuid?.()): void {
  const embeddedAsRoot = config.database.provider === "embedded-postgresql" && uid === 0;
  if (config.production && embeddedAsRoot && !config.productionOverrides.includes("embedded-as-root")) {
    throw new ConfigError([
      "DATABASE_URL: unset in production while running as root: the embedded PostgreSQL would run beside the API as a root-started service; " +
        "use your own PostgreSQL (DATABASE_URL), run as another user, or set PRODUCTION_OVERRIDES=embedded-as-root to accept it",
    ]);
  }
  if (!config.rateLimits.enabled) {
    log.warn("RATE_LIMIT_ENABLED=false: NO brute-force or flood limits; logins can be guessed at full speed. Only for load tests.");
  }
  if (config.production && embeddedAsRoot) log.warn("running the embedded PostgreSQL as root in production (PRODUCTION_OVERRIDES=embedded-as-root)");
}
