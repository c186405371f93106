import type { SessionRecord, UserRecord } from "./ports/store.js";
import type { Principal } from "./principal.js";

/** The role that administers users and everyone's sessions. */
export const ADMIN_ROLE = "ADMIN";

/** True when the principal holds the role. */
export function hasRole(principal: Principal, role: string): boolean {
  return principal.user.roles.includes(role);
}

/** A user may end their own sessions; an administrator anyone's. */
export function canManageSession(principal: Principal, session: SessionRecord): boolean {
  return session.userId === principal.user.id || hasRole(principal, ADMIN_ROLE);
}

/** A user's private data (sessions, audit events) is visible to the user themself and to administrators. */
export function canViewPrivateData(principal: Principal, user: Pick<UserRecord, "id">): boolean {
  return user.id === principal.user.id || hasRole(principal, ADMIN_ROLE);
}
