import { join } from "node:path";
import type { Config } from "../config.js";
import type { Logger } from "../logger.js";
import { startEmbeddedPostgres } from "./postgres/embedded.js";
import { migratePostgres } from "./postgres/migrate.js";
import { createPostgresStore } from "./postgres/postgres-store.js";
import type { Store } from "./store.js";

/** An open store with whatever it started (an embedded PostgreSQL), closed together. */
export interface OpenStore {
  store: Store;
  /** Where the data lives, for the start-up log (no credentials). */
  description: string;
  close(): Promise<void>;
}

/** Opens the configured database: starts the embedded PostgreSQL when no URL is set, applies migrations. */
export async function openStore(config: Config, log: Logger): Promise<OpenStore> {
  const database = config.database;
  if (database.provider === "mongodb") {
    throw new Error("MongoDB is not supported by this build yet; set DATABASE_URL to a postgresql:// URL or leave it unset");
  }
  let url: string;
  let description: string;
  let stopEmbedded = async () => {};
  if (database.provider === "embedded-postgresql") {
    const dataDir = join(config.dataDir, "postgres");
    log.info("starting embedded PostgreSQL", { dataDir, port: database.port });
    const embedded = await startEmbeddedPostgres({ dataDir, port: database.port, log: (message) => log.debug(message) });
    url = embedded.url;
    stopEmbedded = embedded.stop;
    description = `embedded PostgreSQL on 127.0.0.1:${database.port}, data in ${dataDir}`;
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
  const store = createPostgresStore({ url, poolSize: database.poolSize });
  return {
    store,
    description,
    async close() {
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
