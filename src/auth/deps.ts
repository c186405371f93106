import type { Logger } from "../logger.js";
import type { Store } from "./ports/store.js";
import type { AccessTokenSettings } from "./access-tokens.js";
import type { MailDeps } from "./account-mail.js";
import type { AuditLog } from "./audit-log.js";
import type { MfaDeps } from "./mfa-deps.js";
import type { RefusedAttempts } from "./refused-attempts.js";
import type { PasswordHasher, PasswordPolicy } from "./passwords.js";
import type { AuthRateLimits } from "./rate-limits.js";
import type { SessionActivity } from "./session-activity.js";
import type { SessionLookup } from "./session-lookup.js";
import type { SessionLimitPolicy } from "./session-limit.js";

/** Session rules of one deployment. */
export interface SessionSettings extends SessionLimitPolicy {
  refreshTtlSeconds: number;
  reuseGraceSeconds: number;
}

/** Everything the auth core needs from outside; plain values, so tests can pass their own. */
export interface AuthDeps {
  store: Store;
  /** The batched session lookup of the per-request check, shared by every request, socket and renewal. */
  lookupSession: SessionLookup;
  hasher: PasswordHasher;
  accessTokens: AccessTokenSettings;
  sessions: SessionSettings;
  passwordPolicy: PasswordPolicy;
  audit: AuditLog;
  /** Rate-limited (429) attempts, counted per account and address instead of an audit row each. */
  refusals: RefusedAttempts;
  activity: SessionActivity;
  /** Brute-force and flood limits; NO_RATE_LIMITS for the operator's command-line tool and RATE_LIMIT_ENABLED=false. */
  rateLimits: AuthRateLimits;
  /** The second factor (TOTP): encryption key, issuer, mfaToken lifetime, code limits. */
  mfa: MfaDeps;
  /** Password reset, verification and email-change mail (queued in the outbox), and REQUIRE_VERIFIED_EMAIL. */
  mail: MailDeps;
  now: () => Date;
  log: Logger;
}
