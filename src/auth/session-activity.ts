import type { Logger } from "../logger.js";
import type { SessionRecord, Store } from "./ports/store.js";

/** Keeps `lastUsedAt` fresh without a database write per request. */
export interface SessionActivity {
  /** Notes that a session was used; written later, in a batch, at most about once per `minGapMs`. */
  recordUse(session: SessionRecord, now: Date): void;
  /** Writes what is pending now. */
  flush(): Promise<void>;
  /** Flushes and stops the timer. */
  stop(): Promise<void>;
}

/** Batches session touches and writes them every `flushEveryMs`. */
export function createSessionActivity(options: { store: Store; log: Logger; minGapMs?: number; flushEveryMs?: number }): SessionActivity {
  const minGapMs = options.minGapMs ?? 60_000;
  const pending = new Map<string, Date>();
  let flushing: Promise<void> = Promise.resolve();

  const flush = (): Promise<void> => {
    if (pending.size === 0) return flushing;
    const entries = [...pending].map(([sessionId, lastUsedAt]) => ({ sessionId, lastUsedAt }));
    pending.clear();
    flushing = flushing
      .then(() => options.store.touchSessions(entries))
      // losing a touch only makes lastUsedAt a little stale; never fail a request for it
      .catch((error: unknown) => options.log.warn("could not record session activity", { sessions: entries.length, error }));
    return flushing;
  };
  const timer = setInterval(() => void flush(), options.flushEveryMs ?? 5_000);
  timer.unref();

  return {
    recordUse(session, now) {
      if (now.getTime() - session.lastUsedAt.getTime() >= minGapMs) pending.set(session.id, now);
    },
    flush,
    async stop() {
      clearInterval(timer);
      await flush();
    },
  };
}
