import { AuthError, notOwner } from "./errors.js";
import { ADMIN_ROLE, canViewPrivateData, hasRole } from "./policies.js";
import type { Principal } from "./principal.js";

/** The operator acting outside any session (the command-line tool): trusted like an administrator. */
export interface SystemActor {
  readonly system: string;
}

/** Who performs a use case: a signed-in principal (whose rights are checked) or the system itself. */
export type Actor = Principal | SystemActor;

/** The command-line tool, as recorded in audit events. */
export const CLI_ACTOR: SystemActor = { system: "cli" };

/** True for the system actor. */
export function isSystemActor(actor: Actor): actor is SystemActor {
  return "system" in actor;
}

/** Throws FORBIDDEN unless the actor is the system or an administrator. */
export function requireAdmin(actor: Actor): void {
  if (!isSystemActor(actor) && !hasRole(actor, ADMIN_ROLE)) throw new AuthError("ROLE_REQUIRED", "Administrator role required");
}

/**
 * Throws FORBIDDEN (NOT_OWNER) unless the actor is the system, an administrator or the user themself: the rule
 * for a user's private data (sessions, audit events). `what` completes "You cannot …".
 */
export function requireSelfOrAdmin(actor: Actor, userId: string, what: string): void {
  if (!isSystemActor(actor) && !canViewPrivateData(actor, { id: userId })) throw notOwner(`You cannot ${what}`);
}

/** True when the actor acts on its own account (the system never does). */
export function isSelf(actor: Actor, userId: string): boolean {
  return !isSystemActor(actor) && actor.user.id === userId;
}

/**
 * How an audit event names who did it: `actorId` when someone other than the user acted, and for the
 * system (which has no account) `detail.actor`.
 */
export function auditedActor(actor: Actor, userId: string | null): { actorId: string | null; detail: Record<string, unknown> } {
  if (isSystemActor(actor)) return { actorId: null, detail: { actor: actor.system } };
  return { actorId: actor.user.id === userId ? null : actor.user.id, detail: {} };
}
