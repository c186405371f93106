import type { SessionRecord } from "../storage/store.js";
import { auditedActor, isSystemActor, type Actor } from "./actor.js";
import type { AuthDeps } from "./deps.js";
import { notOwner } from "./errors.js";
import { canManageSession, canViewPrivateData } from "./policies.js";
import type { ClientInfo } from "./principal.js";

/** The sessions of a user, newest first, for the user themself, administrators and the system. */
export async function listSessions(deps: AuthDeps, actor: Actor, userId: string): Promise<SessionRecord[]> {
  if (!isSystemActor(actor) && !canViewPrivateData(actor, { id: userId })) throw notOwner("You cannot see this user's sessions");
  return deps.store.listUserSessions(userId);
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
export async function revokeUserSessions(
  deps: AuthDeps,
  actor: Actor,
  userId: string,
  exceptSessionId: string | null,
  client: ClientInfo,
): Promise<number> {
  if (!isSystemActor(actor) && !canViewPrivateData(actor, { id: userId })) throw notOwner("You cannot revoke this user's sessions");
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
