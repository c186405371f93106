import { createAccessTokenKey } from "./auth/access-tokens.js";
import { createAuditLog } from "./auth/audit-log.js";
import { createRefusedAttempts } from "./auth/refused-attempts.js";
import type { AuthDeps } from "./auth/deps.js";
import { createPasswordHasher } from "./auth/passwords.js";
import { NO_MFA_RATE_LIMITS, type MfaRateLimits } from "./auth/mfa-rate-limits.js";
import { NO_RATE_LIMITS, type AuthRateLimits } from "./auth/rate-limits.js";
import { createSessionActivity } from "./auth/session-activity.js";
import { createSessionLookup } from "./auth/session-lookup.js";
import { NO_OBSERVER, observeAudit, type AuthObserver } from "./auth/observer.js";
import { newTotpKey } from "./auth/totp.js";
import { NO_MAIL_RATE_LIMITS, type MailRateLimits } from "./auth/mail-rate-limits.js";
import type { Config } from "./config.js";
import { createMailComposer } from "./mail/composer.js";
import type { MailTemplates } from "./mail/templates.js";
import type { Logger } from "./logger.js";
import type { Store } from "./auth/ports/store.js";

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
  mfaRateLimits?: MfaRateLimits;
  /**
   * The TOTP key when TOTP_ENCRYPTION_KEY is unset (development: the one kept in the data folder). Without either,
   * a key for this process only: enrollments made with it do not survive a restart (tests, the command-line tool).
   */
  totpKey?: Buffer;
  /** Where the core's counts go (metrics); nowhere by default. */
  observer?: AuthObserver;
  mailRateLimits?: MailRateLimits;
  /** Replacements for the built-in mail templates. */
  mailTemplates?: Partial<MailTemplates>;
  /** Called when mail was queued (wakes the delivery worker). */
  onMailQueued?: () => void;
}): AuthDeps {
  const observer = options.observer ?? NO_OBSERVER;
  const { config, store, log } = options;
  const now = options.now ?? (() => new Date());
  return {
    store,
    lookupSession: createSessionLookup(store, observer),
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
    audit: observeAudit(createAuditLog({ store, log }), observer),
    refusals: createRefusedAttempts({ store, log, now }),
    activity: createSessionActivity({ store, log }),
    rateLimits: options.rateLimits ?? NO_RATE_LIMITS,
    mfa: {
      encryptionKey: config.mfa.encryptionKey ?? options.totpKey ?? newTotpKey(),
      issuer: config.mfa.totpIssuer,
      tokenTtlSeconds: config.mfa.tokenTtlSeconds,
      rateLimits: options.mfaRateLimits ?? NO_MFA_RATE_LIMITS,
    },
    mail: {
      composer: config.mail.enabled ? createMailComposer(config.mail, options.mailTemplates) : null,
      rateLimits: options.mailRateLimits ?? NO_MAIL_RATE_LIMITS,
      queued: options.onMailQueued ?? (() => {}),
    },
    now,
    log,
  };
}
