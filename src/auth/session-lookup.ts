import DataLoader from "dataloader";
import type { SessionRecord, Store, UserRecord } from "./ports/store.js";
import { NO_OBSERVER, type AuthObserver } from "./observer.js";

/** A session with its user, as the per-request check reads them. */
export type SessionWithUser = { session: SessionRecord; user: UserRecord };

/** Loads a session with its user as stored now; null when the session does not exist. */
export type SessionLookup = (sessionId: string) => Promise<SessionWithUser | null>;

/**
 * The one session lookup of a process, shared by every request, socket and renewal: one query serves all the
 * lookups in flight. Its cache is off, so nothing is remembered between batches (every check reads the database
 * after its request arrived); scheduling on setImmediate gathers lookups across requests, not only within one.
 */
export function createSessionLookup(store: Store, observer: AuthObserver = NO_OBSERVER, maxBatchSize = 200): SessionLookup {
  const loader = new DataLoader<string, SessionWithUser | null>(
    async (ids) => {
      const started = performance.now();
      const rows = await store.getSessionsWithUsers(ids);
      observer.sessionLookup(ids.length, (performance.now() - started) / 1000);
      const byId = new Map(rows.map((row) => [row.session.id, row]));
      return ids.map((id) => byId.get(id) ?? null);
    },
    { cache: false, maxBatchSize, batchScheduleFn: (dispatch) => setImmediate(dispatch) },
  );
  return (sessionId) => loader.load(sessionId);
}
