import DataLoader from "dataloader";
import type { SessionRecord, Store, UserRecord } from "../storage/store.js";

type SessionWithUser = { session: SessionRecord; user: UserRecord };

/** What a request's resolvers load through. */
export interface Loaders {
  /** The session check's lookup (through the process-wide batcher: principal() is memoised, so one load per request). */
  sessionWithUser: DataLoader<string, SessionWithUser | null>;
}

/**
 * One process-wide batcher for the per-request session check. Its cache is off, so nothing is
 * remembered between batches (every check reads the database after its request arrived); scheduling
 * on setImmediate lets one query serve all the requests in flight instead of one query each.
 */
export function createSessionBatcher(store: Store, maxBatchSize = 200): DataLoader<string, SessionWithUser | null> {
  return new DataLoader<string, SessionWithUser | null>(
    async (ids) => {
      const rows = await store.getSessionsWithUsers(ids);
      const byId = new Map(rows.map((row) => [row.session.id, row]));
      return ids.map((id) => byId.get(id) ?? null);
    },
    { cache: false, maxBatchSize, batchScheduleFn: (dispatch) => setImmediate(dispatch) },
  );
}

/**
 * A request's loaders. The session lookup needs no per-request DataLoader of its own (its only caller,
 * principal(), is memoised per request): building one per request cost an allocation, a tick and a
 * loadMany on every request for nothing. A loader that does need a per-request memo belongs here, built
 * lazily on first use. @see issue 17
 */
export function createLoaders(batcher: DataLoader<string, SessionWithUser | null>): Loaders {
  return { sessionWithUser: batcher };
}
