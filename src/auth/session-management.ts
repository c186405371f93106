import { cursorOf, type SessionRecord } from "./ports/store.js";
import { auditedActor, isSystemActor, requireSelfOrAdmin, type Actor } from "./actor.js";
import type { AuthDeps } from "./deps.js";
import { badInput, notOwner } from "./errors.js";
import { canManageSession } from "./policies.js";
import type { ClientInfo } from "./principal.js";

/** Most sessions one page holds: a list's size is what its cost is counted at (graphql/armor.ts). */
export const MAX_SESSIONS_PAGE = 100;
export const DEFAULT_SESSIONS_PAGE = 20;

/**
 * One page of a user's sessions, ACTIVE first, then the ended ones, each newest first; `after` is the id of the last
 * session of the previous page. For the user themself, administrators and the system.
 */
export async function listSessions(
  deps: AuthDeps,
  actor: Actor,
  userId: string,
  page: { limit?: number; after?: string | null } = {},
): Promise<SessionRecord[]> {
  requireSelfOrAdmin(actor, userId, "see this user's sessions");
  const limit = page.limit ?? DEFAULT_SESSIONS_PAGE;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_SESSIONS_PAGE) throw badInput("INVALID_INPUT", "limit", `limit must be 1 to ${MAX_SESSIONS_PAGE}`);
  let after = null;
  if (page.after) {
    const last = await deps.store.getSession(page.after);
    if (!last || last.userId !== userId) throw badInput("INVALID_INPUT", "after", "No such session of this user");
    after = cursorOf(last);
  }
  return deps.store.listUserSessionsPage(userId, { limit, after });
}

/** Revokes one session: one's own, or anyone's for an administrator or the system. An ended session comes back unchanged. */
export async function revokeSession(deps: AuthDeps, actor: Actor, sessionId: string, client: ClientInfo): Promise<SessionRecord> {
  const session = await deps.store.getSession(sessionId);
  // a stranger's session and a missing one look alike: no probing of session ids
  if (!session || (!isSystemActor(actor) && !canManageSession(actor, session))) throw notOwner("You cannot revoke this session");
  if (session.status !== "ACTIVE") return session;
  const now = deps.now();
  const ended = (await deps.store.endSession(sessionId, "REVOKED", now)) ?? session;
  if (ended.status === "REVOKED") {
    const by = auditedActor(actor, ended.userId);
    await deps.audit.record({ type: "SESSION_REVOKED", userId: ended.userId, sessionId, actorId: by.actorId, client, detail: by.detail }, now);
  }
  return ended;
}

/** Revokes every ACTIVE session of a user but `exceptSessionId`; returns how many ended. */
export async function revokeUserSessions(deps: AuthDeps, actor: Actor, userId: string, exceptSessionId: string | null, client: ClientInfo): Promise<number> {
  requireSelfOrAdmin(actor, userId, "revoke this user's sessions");
  const now = deps.now();
  const count = await deps.store.endUserSessions(userId, "REVOKED", exceptSessionId, now);
  const by = auditedActor(actor, userId);
  const sessionId = isSystemActor(actor) ? null : actor.session.id;
  await deps.audit.record(
    { type: "ALL_SESSIONS_REVOKED", userId, sessionId, actorId: by.actorId, client, detail: { ...by.detail, count, includeCurrent: exceptSessionId === null } },
    now,
  );
  return count;
}
