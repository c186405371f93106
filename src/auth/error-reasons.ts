/**
 * The catalogue of error reasons (`extensions.reason`) and the code each belongs to, as ../shared/API.md lists
 * them. It imports nothing, so browser code (the client kit) can share it with the server.
 */
export const ERROR_REASONS = {
  TOKEN_MISSING: "UNAUTHENTICATED",
  TOKEN_INVALID: "UNAUTHENTICATED",
  TOKEN_EXPIRED: "UNAUTHENTICATED",
  SESSION_ENDED: "UNAUTHENTICATED",
  ACCOUNT_UNAVAILABLE: "UNAUTHENTICATED",
  INVALID_CREDENTIALS: "UNAUTHENTICATED",
  REFRESH_TOKEN_INVALID: "UNAUTHENTICATED",
  REFRESH_TOKEN_REUSED: "UNAUTHENTICATED",
  MFA_TOKEN_INVALID: "UNAUTHENTICATED",
  INVALID_EMAIL: "BAD_USER_INPUT",
  EMAIL_TAKEN: "BAD_USER_INPUT",
  INVALID_USERNAME: "BAD_USER_INPUT",
  USERNAME_TAKEN: "BAD_USER_INPUT",
  PASSWORD_TOO_SHORT: "BAD_USER_INPUT",
  PASSWORD_TOO_LONG: "BAD_USER_INPUT",
  PASSWORD_TOO_COMMON: "BAD_USER_INPUT",
  WRONG_PASSWORD: "BAD_USER_INPUT",
  INVALID_TOKEN: "BAD_USER_INPUT",
  INVALID_CODE: "BAD_USER_INPUT",
  INVALID_INPUT: "BAD_USER_INPUT",
  ROLE_REQUIRED: "FORBIDDEN",
  NOT_OWNER: "FORBIDDEN",
  EMAIL_NOT_VERIFIED: "FORBIDDEN",
  SESSION_LIMIT_REACHED: "SESSION_LIMIT_REACHED",
  MFA_REQUIRED: "MFA_REQUIRED",
  DATABASE_UNAVAILABLE: "SERVICE_UNAVAILABLE",
  /** Too many password hashes already wait (argon2 queue full): retry after `retryAfter` seconds. */
  SERVER_BUSY: "SERVICE_UNAVAILABLE",
  RATE_LIMITED: "TOO_MANY_REQUESTS",
} as const;

/** A machine-readable reason: what a client switches on (`extensions.reason`). */
export type ErrorReason = keyof typeof ERROR_REASONS;

/** The error codes of the API (`extensions.code`), besides INTERNAL_SERVER_ERROR. */
export type ErrorCode = (typeof ERROR_REASONS)[ErrorReason];

/** The reasons that mean "this session is over: sign in again" (as opposed to "renew" or "retry"). */
export const SIGNED_OUT_REASONS: readonly ErrorReason[] = ["SESSION_ENDED", "ACCOUNT_UNAVAILABLE", "REFRESH_TOKEN_INVALID", "REFRESH_TOKEN_REUSED"];
