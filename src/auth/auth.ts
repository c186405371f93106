import type { AuditEventRecord, SessionRecord, UserRecord } from "../storage/store.js";
import { changePassword, login, signUp, type LoginRequest, type NewAccount } from "./accounts.js";
import type { Actor } from "./actor.js";
import { listAuditEvents } from "./audit-events.js";
import { openLiveSession, type LiveSession } from "./live-session.js";
import type { SessionEvents } from "./session-events.js";
import { authenticate } from "./authenticate.js";
import type { AuthDeps } from "./deps.js";
import type { AuthResult, ClientInfo, Principal } from "./principal.js";
import { listSessions, revokeSession, revokeUserSessions } from "./session-management.js";
import { logout, renewSession } from "./sessions.js";
import { createUser, deleteUser, disableUser, enableUser, findUser, type UserRef } from "./user-admin.js";

/** The auth service: every use case of the API, over plain deps, with no GraphQL or database in sight. */
export type Auth = ReturnType<typeof createAuth>;

/** Binds the use cases to their dependencies. Administrative ones take an Actor: a principal or the system (CLI). */
export function createAuth(deps: AuthDeps) {
  return {
    /** Writes the pending session activity and stops its timer; call once, when shutting down. */
    close: (): Promise<void> => deps.activity.stop(),

    /** A live session for a long-lived connection (a WebSocket): the per-request check, then a watch until it ends. */
    openLiveSession: (events: SessionEvents, accessToken: string): Promise<LiveSession> => openLiveSession(deps, events, accessToken),

    /** The per-request check of an access token: the session and user as stored now, or an AuthError. */
    authenticate: (accessToken: string): Promise<Principal> => authenticate(deps, accessToken),
    signUp: (input: Omit<NewAccount, "roles">, client: ClientInfo): Promise<AuthResult> => signUp(deps, input, client),
    login: (input: LoginRequest, client: ClientInfo): Promise<AuthResult> => login(deps, input, client),
    renew: (refreshToken: string, client: ClientInfo): Promise<AuthResult> => renewSession(deps, refreshToken, client),

    /** Ends the calling session. */
    logout: (principal: Principal, client: ClientInfo): Promise<void> => logout(deps, principal, client),

    /** Revokes one session: one's own, or anyone's for an administrator. */
    revokeSession: (actor: Actor, sessionId: string, client: ClientInfo): Promise<SessionRecord> => revokeSession(deps, actor, sessionId, client),

    /** Revokes the caller's other sessions (and the calling one when asked); returns how many ended. */
    revokeAllSessions: (principal: Principal, includeCurrent: boolean, client: ClientInfo): Promise<number> =>
      revokeUserSessions(deps, principal, principal.user.id, includeCurrent ? null : principal.session.id, client),

    /** Revokes every session of a user (administrators, the system); returns how many ended. */
    revokeUserSessions: (actor: Actor, userId: string, client: ClientInfo): Promise<number> => revokeUserSessions(deps, actor, userId, null, client),

    changePassword: (principal: Principal, input: { currentPassword: string; newPassword: string }, client: ClientInfo): Promise<number> =>
      changePassword(deps, principal, input, client),

    /** Custom user creation by an administrator, with roles and profile. */
    createUser: (actor: Actor, input: NewAccount, client: ClientInfo): Promise<UserRecord> => createUser(deps, actor, input, client),

    /** A user by id or email, for administrators. */
    findUser: (actor: Actor, ref: UserRef): Promise<UserRecord | null> => findUser(deps, actor, ref),

    disableUser: (actor: Actor, userId: string, client: ClientInfo): Promise<UserRecord> => disableUser(deps, actor, userId, client),
    enableUser: (actor: Actor, userId: string, client: ClientInfo): Promise<UserRecord> => enableUser(deps, actor, userId, client),
    deleteUser: (actor: Actor, userId: string, client: ClientInfo): Promise<boolean> => deleteUser(deps, actor, userId, client),

    /** One page of a user's sessions (ACTIVE first), for the user themself and administrators. */
    listSessions: (actor: Actor, userId: string, page?: { limit?: number; after?: string | null }): Promise<SessionRecord[]> =>
      listSessions(deps, actor, userId, page),

    /** A user's recent audit events, for the user themself and administrators. */
    listAuditEvents: (actor: Actor, userId: string, page: { limit: number; before: Date | null }): Promise<AuditEventRecord[]> =>
      listAuditEvents(deps, actor, userId, page),
  };
}
