import { AuthError } from "./errors.js";
import { TOO_MANY_ATTEMPTS, type RateLimiterFactory, type RateLimitSettings } from "./rate-limits.js";

/**
 * Limits on second-factor codes per account, counted in the shared rate-limit store (per mfaToken they are
 * counted on the token itself, see mfa-login.ts). A stolen password or access token must not become a way to
 * try all million TOTP codes.
 */
export interface MfaRateLimits {
  /** Refuses (TOO_MANY_REQUESTS) while the account is blocked after too many wrong codes; counts nothing. */
  beforeCode(userId: string): Promise<void>;
  /** Counts a wrong code of the account. */
  codeFailed(userId: string): Promise<void>;
}

/** No limits: RATE_LIMIT_ENABLED=false and the operator's command-line tool. */
export const NO_MFA_RATE_LIMITS: MfaRateLimits = { beforeCode: async () => {}, codeFailed: async () => {} };

/** `accountFailures` wrong codes per RATE_LIMIT_WINDOW block the account's codes for the window. */
export function createMfaRateLimits(factory: RateLimiterFactory, settings: RateLimitSettings, accountFailures: number): MfaRateLimits {
  if (!settings.enabled) return NO_MFA_RATE_LIMITS;
  const window = settings.failureWindowSeconds;
  // points n-1: the n-th failure starts the block, and peek() refuses the next attempt
  const failures = factory.create({ name: "mfa-code-failures", points: Math.max(accountFailures - 1, 0), durationSeconds: window, blockSeconds: window });
  return {
    async beforeCode(userId) {
      const verdict = await failures.peek(userId);
      if (!verdict.ok)
        throw new AuthError("RATE_LIMITED", TOO_MANY_ATTEMPTS, { retryAfterSeconds: verdict.retryAfterSeconds, logDetail: "mfa code rate limit" });
    },
    async codeFailed(userId) {
      await failures.consume(userId);
    },
  };
}
