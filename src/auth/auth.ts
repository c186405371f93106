import type { SessionRecord, UserRecord } from "../storage/store.js";
import { changePassword, createAccount, login, signUp, type NewAccount } from "./accounts.js";
import { authenticate, type SessionLookup } from "./authenticate.js";
import type { AuthDeps } from "./deps.js";
import { AuthError } from "./errors.js";
import { ADMIN_ROLE, canManageSession, canViewPrivateData, hasRole } from "./policies.js";
import type { AuthResult, ClientInfo, Principal } from "./principal.js";
import { endSession, renewSession } from "./sessions.js";

/** The auth service: every use case of the API, over plain deps, with no GraphQL or database in sight. */
export type Auth = ReturnType<typeof createAuth>;

/** Binds the use cases to their dependencies. */
export function createAuth(deps: AuthDeps) {
  const requireAdmin = (principal: Principal) => {
    if (!hasRole(principal, ADMIN_ROLE)) throw new AuthError("FORBIDDEN", "Administrator role required");
  };

  return {
    deps,
    authenticate: (accessToken: string, lookup: SessionLookup): Promise<Principal> => authenticate(deps, accessToken, lookup),
    signUp: (input: Omit<NewAccount, "roles">, client: ClientInfo): Promise<AuthResult> => signUp(deps, input, client),
    login: (input: { login: string; password: string }, client: ClientInfo): Promise<AuthResult> => login(deps, input, client),
    renew: (refreshToken: string, client: ClientInfo): Promise<AuthResult> => renewSession(deps, refreshToken, client),

    /** Ends the calling session. */
    async logout(principal: Principal, client: ClientInfo): Promise<void> {
      await endSession(deps, principal, principal.session.id, "LOGGED_OUT", client);
    },

    /** Revokes one session: one's own, or anyone's for an administrator. */
    async revokeSession(principal: Principal, sessionId: string, client: ClientInfo): Promise<SessionRecord> {
      const session = await deps.store.getSession(sessionId);
      // a stranger's session and a missing one look alike: no probing of session ids
      if (!session || !canManageSession(principal, session)) throw new AuthError("FORBIDDEN", "You cannot revoke this session");
      return (await endSession(deps, principal, sessionId, "REVOKED", client)) ?? session;
    },

    /** Revokes the caller's other sessions (and the calling one when asked); returns how many ended. */
    async revokeAllSessions(principal: Principal, includeCurrent: boolean, client: ClientInfo): Promise<number> {
      const now = deps.now();
      const except = includeCurrent ? null : principal.session.id;
      const count = await deps.store.endUserSessions(principal.user.id, "REVOKED", except, now);
      await deps.audit.record({ type: "ALL_SESSIONS_REVOKED", userId: principal.user.id, sessionId: principal.session.id, client, detail: { count, includeCurrent } }, now);
      return count;
    },

    changePassword: (principal: Principal, input: { currentPassword: string; newPassword: string }, client: ClientInfo): Promise<number> =>
      changePassword(deps, principal, input, client),

    /** Custom user creation by an administrator, with roles and profile. */
    async createUser(principal: Principal, input: NewAccount, client: ClientInfo): Promise<UserRecord> {
      requireAdmin(principal);
      const user = await createAccount(deps, input);
      await deps.audit.record({ type: "USER_CREATED", userId: user.id, actorId: principal.user.id, client, detail: { roles: user.roles } }, deps.now());
      return user;
    },

    /** A user by id, for administrators. */
    async findUser(principal: Principal, userId: string): Promise<UserRecord | null> {
      requireAdmin(principal);
      return deps.store.findUserById(userId);
    },

    /** The sessions of a user, for the user themself and administrators. */
    async listSessions(principal: Principal, userId: string): Promise<SessionRecord[]> {
      if (!canViewPrivateData(principal, { id: userId })) throw new AuthError("FORBIDDEN", "You cannot see this user's sessions");
      return deps.store.listUserSessions(userId);
    },
  };
}
