import { MongoClient, type ChangeStream, type ChangeStreamDocument, type Document } from "mongodb";
import type { EndedStatus, SessionEndFeed } from "../../auth/session-events.js";

const ENDED_STATUSES: readonly EndedStatus[] = ["LOGGED_OUT", "REVOKED", "REPLACED", "EXPIRED"];
const RETRY_DELAYS_MS = [100, 250, 500, 1_000, 2_000, 5_000];

// Only what ends a session: a status set to an ended one (Prisma writes with $set), a whole-document replace
// with one, or a delete (a user deleted outright). Everything else (lastUsedAt touches, renewals) is filtered
// out by the server.
const PIPELINE: Document[] = [
  {
    $match: {
      $or: [
        { operationType: "update", "updateDescription.updatedFields.status": { $in: ENDED_STATUSES } },
        { operationType: "replace", "fullDocument.status": { $in: ENDED_STATUSES } },
        { operationType: "delete" },
      ],
    },
  },
];

/** The session a change ended and its final status, or null for a change that ends none (a delete counts as REVOKED). */
export function sessionEndOf(change: ChangeStreamDocument): { sessionId: string; status: EndedStatus } | null {
  if (change.operationType === "delete") return { sessionId: String(change.documentKey._id), status: "REVOKED" };
  if (change.operationType !== "update" && change.operationType !== "replace") return null;
  const status: unknown = change.operationType === "update" ? change.updateDescription.updatedFields?.status : change.fullDocument?.status;
  return ENDED_STATUSES.includes(status as EndedStatus) ? { sessionId: String(change.documentKey._id), status: status as EndedStatus } : null;
}

/** Options of createMongoSessionEndFeed. */
export interface MongoSessionEndFeedOptions {
  /** The store's mongodb:// URL (a replica set: change streams need one, as transactions do). */
  url: string;
  log?: (message: string) => void;
}

/**
 * A change stream on the sessions collection: the MongoDB counterpart of PostgreSQL's LISTEN. The driver resumes a
 * stream by itself after a transient error; when the stream fails for good it is reopened with backoff, and every
 * open session is re-checked (`resync`), since changes made meanwhile were not seen.
 */
export function createMongoSessionEndFeed(options: MongoSessionEndFeedOptions): SessionEndFeed {
  const log = options.log ?? (() => undefined);
  const client = new MongoClient(options.url);
  let handlers: Parameters<SessionEndFeed["start"]>[0] | null = null;
  let stream: ChangeStream | null = null;
  let closed = false;
  let openedOnce = false;
  let retryTimer: NodeJS.Timeout | undefined;
  let markReady!: () => void;
  const ready = new Promise<void>((resolve) => (markReady = resolve));

  const onChange = (change: ChangeStreamDocument) => {
    const end = sessionEndOf(change);
    if (end) handlers?.ended(end.sessionId, end.status);
  };

  const open = (attempt: number) => {
    if (closed) return;
    const next = client.db().collection("sessions").watch(PIPELINE);
    let failed = false;
    let initialised = false;
    next.on("change", onChange);
    next.once("init", () => {
      initialised = true;
      if (openedOnce) log("session-end stream: open again; re-checking open sessions");
      openedOnce = true;
      handlers?.resync();
      markReady();
    });
    next.on("error", (error: Error) => {
      if (failed) return;
      failed = true;
      next.close().catch(() => undefined);
      if (stream === next) stream = null;
      if (closed) return;
      log(`session-end stream: ${error.message}; reopening`);
      const retry = initialised ? 0 : attempt + 1;
      retryTimer = setTimeout(() => open(retry), RETRY_DELAYS_MS[Math.min(retry, RETRY_DELAYS_MS.length - 1)]!);
      retryTimer.unref();
    });
    stream = next;
  };

  return {
    start(given) {
      handlers = given;
      open(0);
    },
    ready: () => ready,
    async close() {
      closed = true;
      clearTimeout(retryTimer);
      await stream?.close().catch(() => undefined);
      stream = null;
      await client.close().catch(() => undefined);
    },
  };
}
