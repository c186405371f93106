import { verifyAccessToken } from "./access-tokens.js";
import type { AuthDeps } from "./deps.js";
import { accountUnavailable, invalidToken, sessionEnded } from "./errors.js";
import type { Principal } from "./principal.js";
import { isSessionLive } from "./session-limit.js";

/**
 * The per-request check: verifies the access token, then reads the session and user as they are now,
 * so a logged-out, revoked, replaced, disabled or deleted account is refused even with an unexpired token.
 */
export async function authenticate(deps: AuthDeps, accessToken: string): Promise<Principal> {
  const now = deps.now();
  const claims = verifyAccessToken(deps.accessTokens, accessToken, now);
  const found = await deps.lookupSession(claims.sessionId);
  if (!found) throw sessionEnded(null);
  const { session, user } = found;
  if (session.userId !== claims.userId || user.id !== claims.userId) throw invalidToken("session belongs to another user");
  if (user.disabledAt) throw accountUnavailable();
  if (!isSessionLive(session, deps.sessions.idleTimeoutSeconds, now)) {
    throw sessionEnded(session.status === "ACTIVE" ? "EXPIRED" : session.status);
  }
  deps.activity.recordUse(session, now);
  return { user, session };
}
