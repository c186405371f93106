/** The failures the auth core reports to its callers; each maps to one code of API.md. */
export type AuthErrorCode =
  | "UNAUTHENTICATED"
  | "FORBIDDEN"
  | "BAD_USER_INPUT"
  | "SESSION_LIMIT_REACHED"
  | "TOO_MANY_REQUESTS"
  | "SERVICE_UNAVAILABLE";

/** An expected failure whose message is safe to show to the client. */
export class AuthError extends Error {
  constructor(
    readonly code: AuthErrorCode,
    message: string,
    /** For TOO_MANY_REQUESTS and SERVICE_UNAVAILABLE: the Retry-After the client should honour. */
    readonly retryAfterSeconds?: number,
    /** Why it happened, for the server log only (never sent to the client). */
    readonly reason?: string,
  ) {
    super(message);
    this.name = "AuthError";
  }
}

/** One message for every token failure and every wrong credential: no oracle for attackers. */
export const INVALID_CREDENTIALS = "Invalid login or password";
export const INVALID_TOKEN = "Invalid or expired token";

/** The UNAUTHENTICATED error for a failed token, keeping the precise cause for the log. */
export function invalidToken(reason: string): AuthError {
  return new AuthError("UNAUTHENTICATED", INVALID_TOKEN, undefined, reason);
}
