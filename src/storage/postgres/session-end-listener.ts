import pg from "pg";
import type { EndedStatus, SessionEndFeed } from "../../auth/session-events.js";

/** The channel the sessions table's trigger notifies (prisma/postgresql/migrations/*_session_ended_notify). */
export const SESSION_ENDED_CHANNEL = "auth_session_ended";
/** The listener's `application_name`, so operators (and tests) can find its connection in pg_stat_activity. */
export const LISTENER_APPLICATION_NAME = "graphql-auth-api session-end listener";

const ENDED_STATUSES: ReadonlySet<string> = new Set<EndedStatus>(["LOGGED_OUT", "REVOKED", "REPLACED", "EXPIRED"]);
const RETRY_DELAYS_MS = [100, 250, 500, 1_000, 2_000, 5_000];

/** Options of createPostgresSessionEndFeed. */
export interface PostgresSessionEndFeedOptions {
  url: string;
  log?: (message: string) => void;
  /** A query on the listening connection this often, so a silently dead connection is noticed; default 15 s. */
  heartbeatMs?: number;
  /** Awaited before each reconnection attempt (tests hold the listener down with it). */
  beforeReconnect?: () => Promise<void>;
  /** Called each time the listener listens (again), after the re-check has been asked for. */
  onListening?: () => void;
}

/**
 * LISTEN on a dedicated connection (a pooled one would lose its LISTEN when returned). When the connection
 * is lost (a database restart, a terminated backend, a network cut) it is re-established with backoff, and
 * every open session is re-checked through `resync`: notices sent while nobody listened are gone for good.
 */
export function createPostgresSessionEndFeed(options: PostgresSessionEndFeedOptions): SessionEndFeed {
  const log = options.log ?? (() => undefined);
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  let handlers: Parameters<SessionEndFeed["start"]>[0] | null = null;
  let client: pg.Client | null = null;
  let closed = false;
  let connectedOnce = false;
  let heartbeat: NodeJS.Timeout | undefined;
  let retryTimer: NodeJS.Timeout | undefined;
  let markReady!: () => void;
  const ready = new Promise<void>((resolve) => (markReady = resolve));

  const onNotification = (message: pg.Notification) => {
    if (message.channel !== SESSION_ENDED_CHANNEL || !message.payload) return;
    const [sessionId, status] = message.payload.split(" ");
    if (sessionId && status && ENDED_STATUSES.has(status)) handlers?.ended(sessionId, status as EndedStatus);
  };

  const connect = async (attempt: number): Promise<void> => {
    if (closed) return;
    // a frozen database fails the heartbeat (query_timeout) instead of leaving the listener deaf without knowing it
    const next = new pg.Client({
      connectionString: options.url,
      keepAlive: true,
      application_name: LISTENER_APPLICATION_NAME,
      connectionTimeoutMillis: 5_000,
      query_timeout: 5_000,
    });
    let lost = false;
    const onLost = (error?: Error) => {
      if (lost) return;
      lost = true;
      clearInterval(heartbeat);
      next.removeAllListeners("notification");
      next.end().catch(() => undefined);
      if (client === next) client = null;
      if (closed) return;
      log(`session-end listener: connection lost (${error?.message ?? "ended"}); reconnecting`);
      scheduleReconnect(0);
    };
    next.on("error", onLost);
    next.on("end", () => onLost());
    try {
      await next.connect();
      next.on("notification", onNotification);
      await next.query(`LISTEN ${SESSION_ENDED_CHANNEL}`);
    } catch (error) {
      if (!lost) {
        lost = true;
        next.end().catch(() => undefined);
      }
      if (closed) return;
      log(`session-end listener: cannot listen (${(error as Error).message}); retrying`);
      scheduleReconnect(attempt + 1);
      return;
    }
    if (closed) {
      await next.end().catch(() => undefined);
      return;
    }
    client = next;
    heartbeat = setInterval(() => {
      next.query("SELECT 1").catch((error: Error) => onLost(error));
    }, heartbeatMs);
    heartbeat.unref();
    if (connectedOnce) log("session-end listener: listening again; re-checking open sessions");
    connectedOnce = true;
    // also after a first connection that came late: sockets may have opened while nobody listened
    handlers?.resync();
    markReady();
    options.onListening?.();
  };

  const scheduleReconnect = (attempt: number) => {
    const delay = RETRY_DELAYS_MS[Math.min(attempt, RETRY_DELAYS_MS.length - 1)]!;
    retryTimer = setTimeout(() => {
      const hold = options.beforeReconnect?.() ?? Promise.resolve();
      void hold.then(() => connect(attempt));
    }, delay);
    retryTimer.unref();
  };

  return {
    start(given) {
      handlers = given;
      void connect(0);
    },
    ready: () => ready,
    async close() {
      closed = true;
      clearTimeout(retryTimer);
      clearInterval(heartbeat);
      const current = client;
      client = null;
      await current?.end().catch(() => undefined);
    },
  };
}
