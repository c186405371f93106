import { randomUUID } from "node:crypto";
import type { RefreshTokenRecord, SessionRecord, UserRecord } from "./ports/store.js";
import { signAccessToken } from "./access-tokens.js";
import type { AuthDeps } from "./deps.js";
import { AuthError, INVALID_CREDENTIALS, accountUnavailable, invalidRefreshToken, sessionEnded } from "./errors.js";
import type { AuthResult, ClientInfo, Principal } from "./principal.js";
import { hashRefreshSecret, newRefreshToken, openSuccessorSecret, parseRefreshToken, refreshSecretMatches, sealSuccessorSecret } from "./refresh-tokens.js";
import { decideSessionLimit, isSessionLive } from "./session-limit.js";

/**
 * Starts a session for a user whose credentials were just checked, applying the session limit; with the `reject`
 * strategy `endOtherSessions` ends the user's other sessions (REPLACED) instead of refusing.
 */
export async function openSession(deps: AuthDeps, user: UserRecord, client: ClientInfo, options: { endOtherSessions?: boolean } = {}): Promise<AuthResult> {
  const now = deps.now();
  const expiresAt = addSeconds(now, deps.sessions.refreshTtlSeconds);
  const refresh = newRefreshToken();
  const sessionId = randomUUID();
  const result = await deps.store.startSession(
    { id: sessionId, userId: user.id, createdAt: now, expiresAt, userAgent: client.userAgent, ipAddress: client.ipAddress },
    { id: refresh.id, sessionId, secretHash: hashRefreshSecret(refresh.secret), createdAt: now, expiresAt },
    decideSessionLimit(deps.sessions, now, options),
    now,
    user.securityStamp, // as read before the password was checked: a change since then refuses this login
  );
  if (!result.ok && result.reason === "ACCOUNT_CHANGED") {
    await deps.audit.record({ type: "LOGIN", outcome: "FAILURE", userId: user.id, client, detail: { reason: "account changed during login" } }, now);
    throw new AuthError("INVALID_CREDENTIALS", INVALID_CREDENTIALS, { logDetail: "account changed during login" });
  }
  if (!result.ok) {
    await deps.audit.record({ type: "LOGIN", outcome: "FAILURE", userId: user.id, client, detail: { reason: "session limit" } }, now);
    throw new AuthError(
      "SESSION_LIMIT_REACHED",
      `This account already has the maximum of ${deps.sessions.limit} active session(s); log out elsewhere first, or log in with endOtherSessions: true to end them`,
    );
  }
  await Promise.all(
    result.replaced.map((replaced) =>
      deps.audit.record({ type: "SESSION_REPLACED", userId: user.id, sessionId: replaced.id, client, detail: { by: sessionId } }, now),
    ),
  );
  return issueTokens(deps, user, result.session, refresh.token, expiresAt, now);
}

/**
 * Exchanges a refresh token for new tokens (rotation). A rotated token presented again is reuse and
 * revokes the session, except the directly preceding token within the grace window, which gets the
 * same successor its first presentation got, so racing tabs converge on one refresh token.
 */
export async function renewSession(deps: AuthDeps, refreshToken: string, client: ClientInfo): Promise<AuthResult> {
  await deps.rateLimits.attempt(client);
  const now = deps.now();
  const parsed = parseRefreshToken(refreshToken);
  if (!parsed) throw invalidRefreshToken("refresh token malformed");
  const stored = await deps.store.findRefreshToken(parsed.id);
  // an unknown id or wrong secret proves nothing about the session: refuse without revoking
  if (!stored || !refreshSecretMatches(parsed.secret, stored.secretHash)) throw invalidRefreshToken("refresh token unknown");
  if (stored.expiresAt <= now) throw invalidRefreshToken("refresh token expired");
  const found = await deps.lookupSession(stored.sessionId);
  if (!found) throw invalidRefreshToken("session not found");
  const { session, user } = found;
  await deps.rateLimits.renewal(user.id);
  if (user.disabledAt) throw accountUnavailable();
  if (!isSessionLive(session, deps.sessions.idleTimeoutSeconds, now)) {
    if (session.status === "ACTIVE") await deps.store.endSession(session.id, "EXPIRED", now);
    throw sessionEnded(session.status === "ACTIVE" ? "EXPIRED" : session.status);
  }

  let token = stored;
  if (!token.rotatedAt) {
    const successor = newRefreshToken();
    const expiresAt = addSeconds(now, deps.sessions.refreshTtlSeconds);
    const rotated = await deps.store.rotateRefreshToken(
      token.id,
      {
        id: successor.id,
        sessionId: session.id,
        secretHash: hashRefreshSecret(successor.secret),
        createdAt: now,
        expiresAt,
        sealedForPredecessor: sealSuccessorSecret(parsed.secret, successor.secret, {
          sessionId: session.id,
          predecessorId: token.id,
          successorId: successor.id,
        }),
      },
      expiresAt,
      now,
    );
    if (rotated.ok) {
      await deps.audit.record({ type: "TOKEN_RENEWED", userId: user.id, sessionId: session.id, client }, now);
      return issueTokens(deps, user, rotated.session, successor.token, expiresAt, now);
    }
    if (rotated.reason === "SESSION_ENDED") throw sessionEnded(null, "session ended during renewal");
    token = rotated.token; // a racing request rotated it first: fall through to the grace rule
  }
  const successor = await graceSuccessor(deps, token, parsed.secret, now);
  if (successor) {
    // the same refresh token handed out again: recorded, so a stolen predecessor used within the window shows up
    await deps.audit.record({ type: "TOKEN_RENEWED", userId: user.id, sessionId: session.id, client, detail: { reissuedWithinGrace: true } }, now);
    return issueTokens(deps, user, session, successor.token, successor.expiresAt, now);
  }

  await deps.store.endSession(session.id, "REVOKED", now);
  await deps.audit.record({ type: "REFRESH_TOKEN_REUSED", outcome: "FAILURE", userId: user.id, sessionId: session.id, client }, now);
  deps.log.warn("refresh token reuse detected; session revoked", { userId: user.id, sessionId: session.id });
  throw new AuthError("REFRESH_TOKEN_REUSED", "This refresh token was already used; the session has been revoked", { sessionStatus: "REVOKED" });
}

/** The successor of a just-rotated token, when the grace rule lets its holder have it again. */
async function graceSuccessor(deps: AuthDeps, token: RefreshTokenRecord, secret: string, now: Date): Promise<{ token: string; expiresAt: Date } | null> {
  const graceMs = deps.sessions.reuseGraceSeconds * 1000;
  if (graceMs === 0 || !token.rotatedAt || !token.successorId || !token.successorSecretSealed) return null;
  if (now.getTime() - token.rotatedAt.getTime() > graceMs) return null;
  const successor = await deps.store.findRefreshToken(token.successorId);
  // only the directly preceding token qualifies: once the successor itself rotated, this one is old
  if (!successor || successor.rotatedAt || successor.sessionId !== token.sessionId) return null;
  const binding = { sessionId: token.sessionId, predecessorId: token.id, successorId: successor.id };
  const successorSecret = openSuccessorSecret(secret, token.successorSecretSealed, binding);
  // what opened must be the very secret whose hash the successor row holds
  if (!successorSecret || !refreshSecretMatches(successorSecret, successor.secretHash)) return null;
  return { token: `${successor.id}.${successorSecret}`, expiresAt: successor.expiresAt };
}

/** Logs out: ends the calling session (LOGGED_OUT); an already-ended one stays as it is. */
export async function logout(deps: AuthDeps, principal: Principal, client: ClientInfo): Promise<void> {
  const now = deps.now();
  const ended = await deps.store.endSession(principal.session.id, "LOGGED_OUT", now);
  if (ended?.status === "LOGGED_OUT") {
    await deps.audit.record({ type: "LOGOUT", userId: ended.userId, sessionId: ended.id, client }, now);
  }
}

function issueTokens(deps: AuthDeps, user: UserRecord, session: SessionRecord, refreshToken: string, refreshTokenExpiresAt: Date, now: Date): AuthResult {
  const access = signAccessToken(deps.accessTokens, { userId: user.id, sessionId: session.id }, now);
  return { accessToken: access.token, accessTokenExpiresAt: access.expiresAt, refreshToken, refreshTokenExpiresAt, user, session };
}

/** `date` plus whole seconds. */
export function addSeconds(date: Date, seconds: number): Date {
  return new Date(date.getTime() + seconds * 1000);
}
