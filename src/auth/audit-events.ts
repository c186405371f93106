import type { AuditEventRecord } from "./ports/store.js";
import { isSystemActor, requireSelfOrAdmin, type Actor } from "./actor.js";
import type { AuthDeps } from "./deps.js";
import { badInput } from "./errors.js";
import { ADMIN_ROLE, hasRole } from "./policies.js";

/** The most events one read returns. */
export const MAX_AUDIT_EVENTS_PER_READ = 200;

/** A user's recent audit events, newest first: for the user themself, administrators and the system. */
export async function listAuditEvents(deps: AuthDeps, actor: Actor, userId: string, page: { limit: number; before: Date | null }): Promise<AuditEventRecord[]> {
  requireSelfOrAdmin(actor, userId, "see this user's audit events");
  if (!Number.isInteger(page.limit) || page.limit < 1 || page.limit > MAX_AUDIT_EVENTS_PER_READ) {
    throw badInput("INVALID_INPUT", "limit", `limit must be from 1 to ${MAX_AUDIT_EVENTS_PER_READ}`);
  }
  const events = await deps.store.listAuditEvents({ userId, limit: page.limit, before: page.before });
  return isSystemActor(actor) || hasRole(actor, ADMIN_ROLE) ? events : events.map(asSeenByTheUser);
}

/**
 * An event as its user sees it: when an administrator acted on the account, the user learns that one did, not who
 * nor from which address and browser (the administrator's own events keep those, for administrators).
 */
function asSeenByTheUser(event: AuditEventRecord): AuditEventRecord {
  if (event.actorId === null) return event;
  return { ...event, actorId: null, ipAddress: null, userAgent: null, detail: { ...event.detail, actor: "administrator" } };
}
