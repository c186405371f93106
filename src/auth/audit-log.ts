import type { Logger } from "../logger.js";
import type { NewAuditEvent, Store } from "../storage/store.js";
import type { ClientInfo } from "./principal.js";

/** The kinds of event recorded for each account. */
export type AuditEventType =
  | "SIGNED_UP"
  | "LOGIN"
  | "LOGOUT"
  | "TOKEN_RENEWED"
  | "REFRESH_TOKEN_REUSED"
  | "SESSION_REPLACED"
  | "SESSION_REVOKED"
  | "ALL_SESSIONS_REVOKED"
  | "PASSWORD_CHANGED"
  | "USER_CREATED"
  | "USER_DISABLED"
  | "USER_ENABLED"
  | "USER_DELETED";

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

/** Records audit events in batches, so auditing adds no round trip to a request. */
export interface AuditLog {
  record(entry: AuditEntry, now: Date): void;
  flush(): Promise<void>;
  stop(): Promise<void>;
}

/** Buffers events and writes them every `flushEveryMs` or once `maxBuffered` are waiting. */
export function createAuditLog(options: { store: Store; log: Logger; flushEveryMs?: number; maxBuffered?: number }): AuditLog {
  const maxBuffered = options.maxBuffered ?? 200;
  let buffer: NewAuditEvent[] = [];
  let flushing: Promise<void> = Promise.resolve();

  const flush = (): Promise<void> => {
    if (buffer.length === 0) return flushing;
    const batch = buffer;
    buffer = [];
    flushing = flushing
      .then(() => options.store.appendAuditEvents(batch))
      .catch((error: unknown) => options.log.error("could not write audit events", { events: batch.length, error }));
    return flushing;
  };
  const timer = setInterval(() => void flush(), options.flushEveryMs ?? 1_000);
  timer.unref();

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
      options.log.info(`audit ${event.type} ${event.outcome}`, {
        userId: event.userId,
        sessionId: event.sessionId,
        actorId: event.actorId,
        ip: event.ipAddress,
        ...event.detail,
      });
      buffer.push(event);
      if (buffer.length >= maxBuffered) void flush();
    },
    flush,
    async stop() {
      clearInterval(timer);
      await flush();
    },
  };
}
