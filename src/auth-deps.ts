import { createAccessTokenKey } from "./auth/access-tokens.js";
import { createAuditLog } from "./auth/audit-log.js";
import type { AuthDeps } from "./auth/deps.js";
import { createPasswordHasher } from "./auth/passwords.js";
import { NO_RATE_LIMITS, type AuthRateLimits } from "./auth/rate-limits.js";
import { createSessionActivity } from "./auth/session-activity.js";
import { createSessionLookup } from "./auth/session-lookup.js";
import type { Config } from "./config.js";
import type { Logger } from "./logger.js";
import type { Store } from "./storage/store.js";

/**
 * The auth core's dependencies, built from the configuration; shared by the API and the command-line tool
 * (which, acting for the operator, runs without rate limits).
 */
export function createAuthDeps(options: {
  config: Config;
  jwtSecret: string;
  store: Store;
  log: Logger;
  now?: () => Date;
  rateLimits?: AuthRateLimits;
}): AuthDeps {
  const { config, store, log } = options;
  return {
    store,
    lookupSession: createSessionLookup(store),
    hasher: createPasswordHasher({
      ...config.passwords.argon2,
      maxConcurrent: config.passwords.maxConcurrentHashes,
      maxQueued: config.passwords.maxQueuedHashes,
    }),
    accessTokens: {
      key: createAccessTokenKey(options.jwtSecret),
      issuer: config.jwt.issuer,
      audience: config.jwt.audience,
      ttlSeconds: config.jwt.accessTtlSeconds,
    },
    sessions: config.sessions,
    passwordPolicy: { minLength: config.passwords.minLength, maxLength: config.passwords.maxLength },
    audit: createAuditLog({ store, log }),
    activity: createSessionActivity({ store, log }),
    rateLimits: options.rateLimits ?? NO_RATE_LIMITS,
    now: options.now ?? (() => new Date()),
    log,
  };
}
