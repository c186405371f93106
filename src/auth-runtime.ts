import { createAuthDeps } from "./auth-deps.js";
import { createAuth, type Auth } from "./auth/auth.js";
import type { AuthDeps } from "./auth/deps.js";
import { startMaintenance, type Maintenance } from "./auth/maintenance.js";
import { createMfaRateLimits } from "./auth/mfa-rate-limits.js";
import { PASSWORD_RESET_REQUEST } from "./auth/account-recovery.js";
import { createMailRateLimits } from "./auth/mail-rate-limits.js";
import { createAuthRateLimits, type RateLimiterFactory } from "./auth/rate-limits.js";
import { observeRateLimiters, type AuthObserver } from "./auth/observer.js";
import type { Config } from "./config.js";
import type { Logger } from "./logger.js";
import { startMailDelivery } from "./mail/mail-delivery.js";
import type { OutboxWorker } from "./mail/outbox-worker.js";
import type { MailTemplates } from "./mail/templates.js";
import type { Store } from "./auth/ports/store.js";

/** The auth core at work over a store: its use cases and the background sweep, stopped together. */
export interface AuthRuntime {
  auth: Auth;
  deps: AuthDeps;
  /** Sweeps expired sessions and prunes old audit events in the background. */
  maintenance: Maintenance;
  /** Delivers queued mail (reset, verification, notices) in the background; null when MAIL_ENABLED=false. */
  mail: OutboxWorker | null;
  /** Stops the sweep and the mail delivery, then writes the pending session activity. */
  stop(): Promise<void>;
}

/** Builds the auth core from the configuration and starts its maintenance; shared by the standalone app and the library. */
export function startAuthRuntime(options: {
  config: Config;
  jwtSecret: string;
  store: Store;
  log: Logger;
  now?: () => Date;
  /** Where rate-limit counters live (the store's database); required unless RATE_LIMIT_ENABLED=false. */
  rateLimiters?: RateLimiterFactory;
  /** Where the core's counts go (metrics). */
  observer?: AuthObserver;
  /** The development TOTP key from the data folder, used when TOTP_ENCRYPTION_KEY is unset. */
  totpKey?: Buffer;
  /** Replacements for the built-in mail templates (src/mail/templates.ts). */
  mailTemplates?: Partial<MailTemplates>;
}): AuthRuntime {
  const { config, store, log } = options;
  if (config.rateLimits.enabled && !options.rateLimiters) {
    throw new Error("rate limits are on but no rate-limit store was given; set RATE_LIMIT_ENABLED=false only if a proxy in front limits login attempts");
  }
  const limiters = options.rateLimiters && options.observer ? observeRateLimiters(options.rateLimiters, options.observer) : options.rateLimiters;
  const rateLimits = limiters ? createAuthRateLimits(limiters, config.rateLimits) : undefined;
  const mfaRateLimits = limiters ? createMfaRateLimits(limiters, config.rateLimits, config.mfa.accountFailures) : undefined;
  const mailRateLimits = limiters ? createMailRateLimits(limiters, config.rateLimits) : undefined;
  let mail: OutboxWorker | null = null;
  const deps = createAuthDeps({ ...options, rateLimits, mfaRateLimits, mailRateLimits, onMailQueued: () => mail?.kick() });
  const auth = createAuth(deps);
  const maintenance = startMaintenance({ store, log, now: deps.now, settings: config.maintenance });
  mail = startMailDelivery({
    config: config.mail,
    store,
    audit: deps.audit,
    log,
    now: deps.now,
    deferred: { [PASSWORD_RESET_REQUEST]: (to) => auth.preparePasswordResetMail(to) },
  });
  return {
    auth,
    deps,
    maintenance,
    mail,
    async stop() {
      await maintenance.stop();
      await mail?.stop();
      await auth.close();
    },
  };
}
