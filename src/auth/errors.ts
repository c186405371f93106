import type { SessionStatus } from "./ports/store.js";
import { ERROR_REASONS, type ErrorCode, type ErrorReason } from "./error-reasons.js";

export { ERROR_REASONS, type ErrorCode, type ErrorReason } from "./error-reasons.js";

/** The failures the auth core reports to its callers; each maps to one code of API.md. */
export type AuthErrorCode = ErrorCode;

/** What an AuthError carries besides its reason and message. */
export interface AuthErrorDetails {
  /** The input field at fault (`email`, `password`, `newPassword`, …), for BAD_USER_INPUT. */
  field?: string;
  /** The final status of the session, for SESSION_ENDED. */
  sessionStatus?: SessionStatus;
  /** For TOO_MANY_REQUESTS and SERVICE_UNAVAILABLE: the Retry-After the client should honour. */
  retryAfterSeconds?: number;
  /** For MFA_REQUIRED: the token that `completeMfaLogin` takes. */
  mfaToken?: string;
  /** Why it happened in detail, for the server log only (never sent to the client). */
  logDetail?: string;
}

/** An expected failure whose message is safe to show to the client; its code follows from its reason. */
export class AuthError extends Error {
  readonly code: AuthErrorCode;

  constructor(
    readonly reason: ErrorReason,
    message: string,
    readonly details: AuthErrorDetails = {},
  ) {
    super(message);
    this.name = "AuthError";
    this.code = ERROR_REASONS[reason];
  }

  get retryAfterSeconds(): number | undefined {
    return this.details.retryAfterSeconds;
  }
}

/** One message for a wrong password and an unknown account: no oracle for attackers. */
export const INVALID_CREDENTIALS = "Invalid login or password";

/** TOKEN_INVALID: a malformed, forged or foreign access token; `logDetail` names the exact cause for the log. */
export function invalidToken(logDetail: string): AuthError {
  return new AuthError("TOKEN_INVALID", "Invalid access token", { logDetail });
}

/** TOKEN_EXPIRED: the token was genuine but its lifetime is over; the client should renew it. */
export function tokenExpired(): AuthError {
  return new AuthError("TOKEN_EXPIRED", "Access token expired; renew it", { logDetail: "expired" });
}

/** SESSION_ENDED: the session behind a token has ended (`status` unknown when the session no longer exists). */
export function sessionEnded(status: SessionStatus | null, logDetail?: string): AuthError {
  const details: AuthErrorDetails = { logDetail: logDetail ?? `session ${status ?? "not found"}` };
  if (status) details.sessionStatus = status;
  return new AuthError("SESSION_ENDED", "This session has ended; sign in again", details);
}

/** ACCOUNT_UNAVAILABLE: the account is disabled (or gone). */
export function accountUnavailable(logDetail = "user disabled"): AuthError {
  return new AuthError("ACCOUNT_UNAVAILABLE", "This account is not available", { logDetail });
}

/** REFRESH_TOKEN_INVALID: a refresh token that is malformed, unknown or expired. */
export function invalidRefreshToken(logDetail: string): AuthError {
  return new AuthError("REFRESH_TOKEN_INVALID", "Invalid or expired refresh token", { logDetail });
}

/** BAD_USER_INPUT with a reason and the field at fault. */
export function badInput(reason: ErrorReason, field: string, message: string): AuthError {
  return new AuthError(reason, message, { field });
}

/** FORBIDDEN: the caller may not act on someone else's data. */
export function notOwner(message: string): AuthError {
  return new AuthError("NOT_OWNER", message);
}
