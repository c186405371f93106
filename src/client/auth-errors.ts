import { ERROR_REASONS, SIGNED_OUT_REASONS, type ErrorCode, type ErrorReason } from "../auth/error-reasons.js";
import type { SessionStatus } from "./generated/graphql.js";

export { ERROR_REASONS, SIGNED_OUT_REASONS, type ErrorCode, type ErrorReason };

/** A GraphQL error as it arrives over the wire (what `fetch`, Apollo and graphql-ws all hand over). */
export interface WireError {
  message: string;
  extensions?: Record<string, unknown> | null | undefined;
}

/** Why a browser was signed out: an API reason, or the user's own sign-out (here or in another tab). */
export type SignedOutReason = ErrorReason | "SIGNED_OUT";

/** What the `signedOut` event carries: show "you were signed out because …" from it. */
export interface SignedOut {
  reason: SignedOutReason;
  /** The session's final status when the API said so (REPLACED: "you signed in on another device"). */
  sessionStatus: SessionStatus | null;
}

/** What a client should do about the errors of a request that carried an access token. */
export type AuthAction = { action: "renew" } | ({ action: "signOut" } & SignedOut) | null;

/**
 * Decides between "renew and retry" (the access token is expired or unusable, the session may well be
 * alive) and "signed out" (the session is over; renewing cannot help). Errors without a reason (an older
 * server) count as "renew": a failed renewal then signs out with the renewal's own reason.
 */
export function authActionFor(errors: readonly WireError[] | null | undefined): AuthAction {
  for (const error of errors ?? []) {
    const code = error.extensions?.code;
    if (code !== "UNAUTHENTICATED") continue;
    const reason = reasonOf(error);
    if (reason && (SIGNED_OUT_REASONS as readonly string[]).includes(reason)) {
      return { action: "signOut", reason, sessionStatus: sessionStatusOf(error) };
    }
    // a wrong password or MFA code is the form's business, not the session's
    if (reason === "INVALID_CREDENTIALS" || reason === "MFA_TOKEN_INVALID") return null;
    return { action: "renew" };
  }
  return null;
}

/** The error's `extensions.reason` when it is one the API documents. */
export function reasonOf(error: WireError): ErrorReason | null {
  const reason = error.extensions?.reason;
  return typeof reason === "string" && reason in ERROR_REASONS ? (reason as ErrorReason) : null;
}

/** The error's `extensions.sessionStatus` (SESSION_ENDED), when present. */
export function sessionStatusOf(error: WireError): SessionStatus | null {
  const status = error.extensions?.sessionStatus;
  return typeof status === "string" ? (status as SessionStatus) : null;
}

/** A renewal the API refused: the session is over and the user must sign in again. */
export class SessionEndedError extends Error {
  constructor(readonly signedOut: SignedOut) {
    super(`Signed out: ${signedOut.reason}${signedOut.sessionStatus ? ` (${signedOut.sessionStatus})` : ""}`);
    this.name = "SessionEndedError";
  }
}
