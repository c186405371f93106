import type { UserRecord } from "./ports/store.js";
import { createAccount, type NewAccount } from "./accounts.js";
import { normalizeEmail } from "./account-input.js";
import { changeAccountSecurity } from "./account-security.js";
import { auditedActor, isSelf, requireAdmin, type Actor } from "./actor.js";
import type { AuthDeps } from "./deps.js";
import { badInput } from "./errors.js";
import type { ClientInfo } from "./principal.js";

/** How an administrator names a user: by id or by email address. */
export type UserRef = { id: string } | { email: string };

/** Custom user creation with roles and profile, by an administrator or the system. */
export async function createUser(deps: AuthDeps, actor: Actor, input: NewAccount, client: ClientInfo): Promise<UserRecord> {
  requireAdmin(actor);
  const user = await createAccount(deps, input);
  const by = auditedActor(actor, user.id);
  await deps.audit.record({ type: "USER_CREATED", userId: user.id, actorId: by.actorId, client, detail: { ...by.detail, roles: user.roles } }, deps.now());
  return user;
}

/** A user by id or email, for administrators and the system; null when there is none. */
export async function findUser(deps: AuthDeps, actor: Actor, ref: UserRef): Promise<UserRecord | null> {
  requireAdmin(actor);
  return "id" in ref ? deps.store.findUserById(ref.id) : deps.store.findUserByLogin(normalizeEmail(ref.email));
}

/**
 * Disables a user and revokes all their sessions in one store call, under the lock logins take: a login racing
 * with this stores no session (it finds the account disabled), so nothing comes back to life on enableUser.
 */
export async function disableUser(deps: AuthDeps, actor: Actor, userId: string, client: ClientInfo): Promise<UserRecord> {
  const target = await adminTarget(deps, actor, userId, "disable");
  const changed = await changeAccountSecurity(deps, userId, { disabledAt: target.disabledAt ?? deps.now() });
  if (!changed.ok) throw noSuchUser();
  const revoked = changed.sessionsEnded;
  if (!target.disabledAt || revoked > 0) {
    const by = auditedActor(actor, userId);
    await deps.audit.record({ type: "USER_DISABLED", userId, actorId: by.actorId, client, detail: { ...by.detail, sessionsRevoked: revoked } }, deps.now());
  }
  return changed.user;
}

/** Enables a disabled user again; their ended sessions stay ended. */
export async function enableUser(deps: AuthDeps, actor: Actor, userId: string, client: ClientInfo): Promise<UserRecord> {
  requireAdmin(actor);
  const target = await mustExist(deps.store.findUserById(userId));
  if (!target.disabledAt) return target;
  const user = await mustExist(deps.store.enableUser(userId));
  const by = auditedActor(actor, userId);
  await deps.audit.record({ type: "USER_ENABLED", userId, actorId: by.actorId, client, detail: by.detail }, deps.now());
  return user;
}

/** Deletes a user with their sessions (revoked first, so requests in flight see them ended); their audit events stay. */
export async function deleteUser(deps: AuthDeps, actor: Actor, userId: string, client: ClientInfo): Promise<boolean> {
  checkNotSelf(actor, userId, "delete");
  const now = deps.now();
  const revoked = await deps.store.endUserSessions(userId, "REVOKED", null, now);
  const deleted = await deps.store.deleteUser(userId);
  if (deleted) {
    const by = auditedActor(actor, userId);
    await deps.audit.record({ type: "USER_DELETED", userId, actorId: by.actorId, client, detail: { ...by.detail, sessionsRevoked: revoked } }, now);
  }
  return deleted;
}

async function adminTarget(deps: AuthDeps, actor: Actor, userId: string, action: string): Promise<UserRecord> {
  checkNotSelf(actor, userId, action);
  return mustExist(deps.store.findUserById(userId));
}

function checkNotSelf(actor: Actor, userId: string, action: string): void {
  requireAdmin(actor);
  // an administrator locking themself out would need the command-line tool to get back in
  if (isSelf(actor, userId)) throw badInput("INVALID_INPUT", "id", `You cannot ${action} your own account`);
}

async function mustExist(user: Promise<UserRecord | null>): Promise<UserRecord> {
  const found = await user;
  if (!found) throw noSuchUser();
  return found;
}

function noSuchUser() {
  return badInput("INVALID_INPUT", "id", "No user with this id");
}
