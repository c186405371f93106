import type { AuditEventRecord, SessionRecord, UserRecord } from "./ports/store.js";
import { changePassword, login, signUp, type LoginRequest, type NewAccount } from "./accounts.js";
import type { Actor } from "./actor.js";
import { preparePasswordResetMail, requestPasswordReset, resetPassword, sendPasswordResetLink } from "./account-recovery.js";
import { listAuditEvents } from "./audit-events.js";
import { openLiveSession, type LiveSession } from "./live-session.js";
import type { SessionEvents } from "./session-events.js";
import { authenticate } from "./authenticate.js";
import type { AuthDeps } from "./deps.js";
import { confirmTotpEnrollment, disableTotp, isMfaEnabled, resetMfa, startTotpEnrollment, type TotpEnrollment } from "./mfa-enrollment.js";
import { completeMfaLogin } from "./mfa-login.js";
import { requestEmailChange, sendVerificationEmail, verifyEmail } from "./email-verification.js";
import type { AuthResult, ClientInfo, Principal } from "./principal.js";
import { listSessions, revokeSession, revokeUserSessions } from "./session-management.js";
import { logout, renewSession } from "./sessions.js";
import { createUser, deleteUser, disableUser, enableUser, findUser, type UserRef } from "./user-admin.js";

/** The auth service: every use case of the API, over plain deps, with no GraphQL or database in sight. */
export type Auth = ReturnType<typeof createAuth>;

/** Binds the use cases to their dependencies. Administrative ones take an Actor: a principal or the system (CLI). */
export function createAuth(deps: AuthDeps) {
  return {
    /** Writes the pending session activity and refused-attempt counts, and stops their timers; call once, when shutting down. */
    close: async (): Promise<void> => {
      await deps.activity.stop();
      await deps.refusals.stop();
    },

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

    /** Login's second step for an account with TOTP: the mfaToken from MFA_REQUIRED and a TOTP or recovery code. */
    completeMfaLogin: (input: { mfaToken: string; code: string }, client: ClientInfo): Promise<AuthResult> => completeMfaLogin(deps, input, client),

    /** Whether the user has TOTP on. */
    isMfaEnabled: (userId: string): Promise<boolean> => isMfaEnabled(deps, userId),

    /** A new TOTP secret for the caller, pending until confirmed. */
    startTotpEnrollment: (principal: Principal, client: ClientInfo): Promise<TotpEnrollment> => startTotpEnrollment(deps, principal, client),

    /** Turns TOTP on with a code of the pending secret; returns the recovery codes (shown once). */
    confirmTotpEnrollment: (principal: Principal, code: string, client: ClientInfo): Promise<string[]> => confirmTotpEnrollment(deps, principal, code, client),

    /** Turns TOTP off with a TOTP or recovery code. */
    disableTotp: (principal: Principal, code: string, client: ClientInfo): Promise<void> => disableTotp(deps, principal, code, client),

    /** Turns a user's TOTP off and ends their sessions (administrators, the system); false when it was off. */
    resetMfa: (actor: Actor, userId: string, client: ClientInfo): Promise<boolean> => resetMfa(deps, actor, userId, client),

    /** Mails a reset link if the address has an account; answers alike either way. */
    requestPasswordReset: (email: string, client: ClientInfo): Promise<void> => requestPasswordReset(deps, email, client),

    /** The outbox worker's step for a queued reset request: issues the token and composes the mail (null: no account). */
    preparePasswordResetMail: (address: string) => preparePasswordResetMail(deps, address),

    /** Sets a new password with a mailed token and ends every session of the user; returns how many ended. */
    resetPassword: (input: { token: string; newPassword: string }, client: ClientInfo): Promise<number> => resetPassword(deps, input, client),

    /** Mails the caller a link that verifies their address. */
    sendVerificationEmail: (principal: Principal, client: ClientInfo): Promise<void> => sendVerificationEmail(deps, principal, client),

    /** Uses a verification or email-change token. */
    verifyEmail: (token: string, client: ClientInfo): Promise<void> => verifyEmail(deps, token, client),

    /** Mails a link to a new address; the address changes when it is used. */
    requestEmailChange: (principal: Principal, input: { newEmail: string; currentPassword: string }, client: ClientInfo): Promise<void> =>
      requestEmailChange(deps, principal, input, client),

    /** Mails a user a reset link (administrators, the system); false when mail is off. */
    sendPasswordResetLink: (actor: Actor, userId: string, client: ClientInfo): Promise<boolean> => sendPasswordResetLink(deps, actor, userId, client),

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
