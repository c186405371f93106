import type { SignedOut } from "graphql-auth-api/client";

const ENDED_BECAUSE: Record<string, string> = {
  REPLACED: "you signed in on another device",
  REVOKED: "this session was signed out from another device, or your password was changed",
  LOGGED_OUT: "you signed out in another tab or window",
  EXPIRED: "your session expired",
};

/** "You were signed out because …", from the kit's signedOut event. */
export function signedOutMessage({ reason, sessionStatus }: SignedOut): string {
  switch (reason) {
    case "SIGNED_OUT":
      return "You signed out.";
    case "SESSION_ENDED":
      return `You were signed out because ${ENDED_BECAUSE[sessionStatus ?? ""] ?? "your session ended"}.`;
    case "REFRESH_TOKEN_REUSED":
      return "You were signed out because your sign-in was used from somewhere else; sign in again to be safe.";
    case "ACCOUNT_UNAVAILABLE":
      return "You were signed out because this account is no longer available.";
    default:
      return "You were signed out because your session expired.";
  }
}

/** What a form shows for an API error reason (`extensions.reason`). */
export const FORM_ERRORS: Record<string, string> = {
  INVALID_CREDENTIALS: "Wrong email, username or password.",
  EMAIL_TAKEN: "An account with this email already exists.",
  USERNAME_TAKEN: "This username is taken.",
  INVALID_EMAIL: "This email address is not valid.",
  INVALID_USERNAME: "Usernames are 1 to 32 letters, digits, '.', '_' or '-'.",
  PASSWORD_TOO_SHORT: "The password is too short.",
  PASSWORD_TOO_LONG: "The password is too long.",
  PASSWORD_TOO_COMMON: "This password is too common; choose another.",
  WRONG_PASSWORD: "The current password is wrong.",
  RATE_LIMITED: "Too many attempts; wait a moment.",
  SESSION_LIMIT_REACHED: "You are signed in on too many devices.",
  DATABASE_UNAVAILABLE: "The service is briefly unavailable; try again.",
  INVALID_CODE: "Wrong or already used code; try the next one.",
  MFA_TOKEN_INVALID: "The sign-in step expired; enter your password again.",
};
