import { join } from "node:path";
import type { RateLimiterFactory } from "../auth/rate-limits.js";
import type { SessionEndFeed } from "../auth/session-events.js";
import type { Config } from "../config.js";
import type { Logger } from "../logger.js";
import { createPostgresRateLimiters } from "./postgres/rate-limiters.js";
import { createPrismaRateLimiters } from "./mongodb/rate-limiters.js";
import { findRunningEmbeddedPostgres, startEmbeddedPostgres } from "./postgres/embedded.js";
import { migratePostgres } from "./postgres/migrate.js";
import { createPostgresStore } from "./postgres/postgres-store.js";
import { createPostgresSessionEndFeed } from "./postgres/session-end-listener.js";
import type { Store } from "../auth/ports/store.js";

/** An open store with whatever it started (an embedded PostgreSQL), closed together. */
export interface OpenStore {
  store: Store;
  /** Rate-limit counters in the same database, shared by every instance. */
  rateLimiters: RateLimiterFactory;
  /** The database's notices of ended sessions, for the sockets bound to them (one channel per instance). */
  sessionFeed: SessionEndFeed;
  /** Where the data lives, for the start-up log (no credentials). */
  description: string;
  close(): Promise<void>;
}

/**
 * Opens the configured database: starts the embedded PostgreSQL when no URL is set, applies migrations.
 * `shareRunningEmbedded` (the command-line tool) first looks for an embedded PostgreSQL that a running API
 * already serves from the same data directory, and uses it without starting or stopping anything.
 */
export async function openStore(config: Config, log: Logger, options: { shareRunningEmbedded?: boolean } = {}): Promise<OpenStore> {
  const database = config.database;
  if (database.provider === "mongodb") {
    // Loaded on demand, so PostgreSQL deployments never load the MongoDB client or its native query engine.
    const { createMongoStore } = await import("./mongodb/mongodb-store.js");
    const { redactMongoUrl } = await import("./mongodb/url.js");
    const store = createMongoStore({ url: database.url, poolSize: database.poolSize });
    try {
      // Refuses a standalone server (transactions need a replica set); creates the unique and TTL indexes, idempotently.
      await store.ensureIndexes();
    } catch (error) {
      await store.close().catch(() => undefined);
      throw error;
    }
    log.info("MongoDB indexes are in place");
    const rateLimiters = createPrismaRateLimiters(store.rateLimitClient);
    const { createMongoSessionEndFeed } = await import("./mongodb/session-end-stream.js");
    const sessionFeed = createMongoSessionEndFeed({ url: database.url, log: (message) => log.warn(message) });
    return {
      store,
      rateLimiters,
      sessionFeed,
      description: `MongoDB at ${redactMongoUrl(database.url)}`,
      async close() {
        await sessionFeed.close();
        await store.close();
      },
    };
  }
  let url: string;
  let description: string;
  let stopEmbedded = async () => {};
  if (database.provider === "embedded-postgresql") {
    const dataDir = join(config.dataDir, "postgres");
    const running = options.shareRunningEmbedded ? await findRunningEmbeddedPostgres({ dataDir, port: database.port }) : null;
    if (running !== null) {
      url = running;
      description = `the running embedded PostgreSQL on 127.0.0.1:${database.port}, data in ${dataDir}`;
    } else {
      log.info("starting embedded PostgreSQL", { dataDir, port: database.port });
      // its own lifecycle (first initialisation, a stale pid, an unexpected exit) for the operator; the
      // server's output lines (which include the FATALs of every normal shutdown) only at debug level
      const embeddedLog = (message: string) => (message.startsWith("postgres: ") ? log.debug(message) : log.info(message));
      const embedded = await startEmbeddedPostgres({ dataDir, port: database.port, log: embeddedLog });
      url = embedded.url;
      stopEmbedded = embedded.stop;
      description = `embedded PostgreSQL on 127.0.0.1:${database.port}, data in ${dataDir}`;
    }
  } else {
    url = database.url;
    description = `PostgreSQL at ${redactUrl(url)}`;
  }
  try {
    await migratePostgres(url, (message) => log.info(message));
  } catch (error) {
    await stopEmbedded();
    throw error;
  }
  const store = createPostgresStore({ url, poolSize: database.poolSize, connectTimeoutMs: database.timeoutMs, statementTimeoutMs: database.timeoutMs });
  const rateLimiters = createPostgresRateLimiters({ url, log: (message) => log.warn(message) });
  const sessionFeed = createPostgresSessionEndFeed({ url, log: (message) => log.warn(message) });
  return {
    store,
    rateLimiters,
    sessionFeed,
    description,
    async close() {
      await sessionFeed.close();
      await rateLimiters.close();
      await store.close();
      await stopEmbedded();
    },
  };
}

/** The URL without its password, for logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(unparseable URL)";
  }
}
