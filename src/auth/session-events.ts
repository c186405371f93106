import type { Logger } from "../logger.js";
import type { SessionRecord, SessionStatus, Store, UserRecord } from "./ports/store.js";
import { isSessionLive } from "./session-limit.js";

/** The status a session ends with. */
export type EndedStatus = Exclude<SessionStatus, "ACTIVE">;

/**
 * One instance's channel of "this session ended" notices, published by the database itself (a trigger with
 * NOTIFY on PostgreSQL, a change stream on MongoDB), so every writer on every instance is covered.
 */
export interface SessionEndFeed {
  /**
   * Starts listening. `ended` is called for every session that ends anywhere; `resync` whenever notices may
   * have been missed (the connection to the database was lost and is back), so watchers re-check their sessions.
   */
  start(handlers: { ended(sessionId: string, status: EndedStatus): void; resync(): void }): void;
  /** Resolves once the feed listens (after its first connection). */
  ready(): Promise<void>;
  close(): Promise<void>;
}

/** Session ends by session id, for whatever holds a session open (a WebSocket). */
export interface SessionEvents {
  /** Calls `listener` once when the session ends, with its final status; returns the unsubscribe. */
  onSessionEnded(sessionId: string, listener: (status: EndedStatus) => void): () => void;
  /** How many sessions are watched now. */
  readonly watched: number;
  /** Re-checks every watched session in the store (what a feed's reconnection triggers). */
  resync(): Promise<void>;
  close(): Promise<void>;
}

const RESYNC_BATCH = 500;

/**
 * Dispatches a feed's notices to the watchers of each session. A feed that lost notices (its connection
 * dropped) asks for a resync: every watched session is then read from the store, in batches.
 */
export function createSessionEvents(options: {
  feed: SessionEndFeed | null;
  store: Store;
  idleTimeoutSeconds: number;
  now: () => Date;
  log: Logger;
}): SessionEvents {
  const { feed, store, log } = options;
  const listeners = new Map<string, Set<(status: EndedStatus) => void>>();

  const dispatch = (sessionId: string, status: EndedStatus) => {
    const watchers = listeners.get(sessionId);
    if (!watchers) return;
    listeners.delete(sessionId); // a session ends once
    for (const listener of watchers) {
      try {
        listener(status);
      } catch (error) {
        log.error("session-end listener failed", { error, sessionId });
      }
    }
  };

  const resync = async () => {
    const ids = [...listeners.keys()];
    for (let start = 0; start < ids.length; start += RESYNC_BATCH) {
      const batch = ids.slice(start, start + RESYNC_BATCH);
      const found = new Map((await store.getSessionsWithUsers(batch)).map((row) => [row.session.id, row]));
      const now = options.now();
      for (const id of batch) {
        const status = endedStatus(found.get(id) ?? null, options.idleTimeoutSeconds, now);
        if (status) dispatch(id, status);
      }
    }
    if (ids.length > 0) log.info("re-checked the sessions of open sockets", { sessions: ids.length });
  };

  feed?.start({
    ended: dispatch,
    resync: () => {
      resync().catch((error: unknown) => log.warn("could not re-check open sessions; they are re-checked at the next reconnection", { error }));
    },
  });

  return {
    onSessionEnded(sessionId, listener) {
      let watchers = listeners.get(sessionId);
      if (!watchers) listeners.set(sessionId, (watchers = new Set()));
      watchers.add(listener);
      return () => {
        const current = listeners.get(sessionId);
        current?.delete(listener);
        if (current?.size === 0) listeners.delete(sessionId);
      };
    },
    get watched() {
      return listeners.size;
    },
    resync,
    async close() {
      listeners.clear();
      await feed?.close();
    },
  };
}

/**
 * How a session stands for a connection bound to it: null while it may still be used, else its final status.
 * A session gone from the store (its user deleted) counts as REVOKED, and so does one of a disabled user.
 */
export function endedStatus(found: { session: SessionRecord; user: UserRecord } | null, idleTimeoutSeconds: number, now: Date): EndedStatus | null {
  if (!found) return "REVOKED";
  const { session, user } = found;
  if (session.status !== "ACTIVE") return session.status;
  if (user.disabledAt) return "REVOKED";
  return isSessionLive(session, idleTimeoutSeconds, now) ? null : "EXPIRED";
}
