import type { Logger } from "../logger.js";
import type { NewAuditEvent, Store } from "./ports/store.js";
import type { ClientInfo } from "./principal.js";

/** The kinds of event recorded for each account (a GraphQL enum too). */
export const AUDIT_EVENT_TYPES = [
  "SIGNED_UP",
  "LOGIN",
  "LOGOUT",
  "TOKEN_RENEWED",
  "REFRESH_TOKEN_REUSED",
  "SESSION_REPLACED",
  "SESSION_REVOKED",
  "ALL_SESSIONS_REVOKED",
  "PASSWORD_CHANGED",
  "USER_CREATED",
  "USER_DISABLED",
  "USER_ENABLED",
  "USER_DELETED",
  "TOTP_ENROLLMENT_STARTED",
  "TOTP_ENABLED",
  "TOTP_DISABLED",
  "MFA_RESET",
  "MFA_CODE",
  "RECOVERY_CODE_USED",
  "PASSWORD_RESET_REQUESTED",
  "PASSWORD_RESET_LINK_ISSUED",
  "PASSWORD_RESET",
  "EMAIL_VERIFICATION_REQUESTED",
  "EMAIL_VERIFIED",
  "EMAIL_CHANGE_REQUESTED",
  "EMAIL_CHANGED",
  "MAIL_SENT",
  "MAIL_DELIVERY_FAILED",
] as const;

/** One kind of audit event. */
export type AuditEventType = (typeof AUDIT_EVENT_TYPES)[number];

/** What the auth core reports; never a secret. */
export interface AuditEntry {
  type: AuditEventType;
  outcome?: "SUCCESS" | "FAILURE";
  userId: string | null;
  sessionId?: string | null;
  actorId?: string | null;
  client?: ClientInfo;
  detail?: Record<string, unknown>;
}

/** Records audit events; concurrent requests share one write. */
export interface AuditLog {
  /** Resolves once the event is stored (or its write failed and was logged): it never rejects. */
  record(entry: AuditEntry, now: Date): Promise<void>;
}

/**
 * Writes events before the request that caused them answers (nothing is lost to a crash), gathering the
 * events of all requests in flight into one insert: the batch is written on the next turn of the event loop.
 */
export function createAuditLog(options: { store: Store; log: Logger }): AuditLog {
  let batch: { events: NewAuditEvent[]; written: Promise<void> } | null = null;

  const enqueue = (event: NewAuditEvent): Promise<void> => {
    if (!batch) {
      const events: NewAuditEvent[] = [];
      const written = new Promise<void>((resolve) => setImmediate(resolve)).then(async () => {
        batch = null;
        try {
          await options.store.appendAuditEvents(events);
        } catch (error) {
          // the operation itself succeeded or failed on its own merits; the operator learns of the gap
          options.log.error("could not write audit events", { events: events.length, error });
        }
      });
      batch = { events, written };
    }
    batch.events.push(event);
    return batch.written;
  };

  return {
    record(entry, now) {
      const event: NewAuditEvent = {
        type: entry.type,
        outcome: entry.outcome ?? "SUCCESS",
        userId: entry.userId,
        sessionId: entry.sessionId ?? null,
        actorId: entry.actorId ?? null,
        ipAddress: entry.client?.ipAddress ?? null,
        userAgent: entry.client?.userAgent ?? null,
        detail: entry.detail ?? {},
        createdAt: now,
      };
      // failures are what an operator watches for; routine successes only at debug level
      const level = event.outcome === "FAILURE" ? "info" : "debug";
      options.log[level](`audit ${event.type} ${event.outcome}`, {
        userId: event.userId,
        sessionId: event.sessionId,
        actorId: event.actorId,
        ip: event.ipAddress,
        ...event.detail,
      });
      return enqueue(event);
    },
  };
}
