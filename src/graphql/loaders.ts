import DataLoader from "dataloader";
import type { SessionRecord, Store, UserRecord } from "../storage/store.js";

type SessionWithUser = { session: SessionRecord; user: UserRecord };

/** Per-request loaders: each request sees its own answers, memoised only for that request. */
export interface Loaders {
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

/** A request's loaders, drawing on the shared batcher. */
export function createLoaders(batcher: DataLoader<string, SessionWithUser | null>): Loaders {
  return {
    sessionWithUser: new DataLoader((ids) => batcher.loadMany(ids) as Promise<Array<SessionWithUser | null | Error>>),
  };
}
