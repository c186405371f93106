import { randomBytes } from "node:crypto";
import pg from "pg";
import { inject } from "vitest";
import { migratePostgres } from "../../src/storage/postgres/migrate.js";

/** A fresh, migrated database of its own; `drop()` deletes it (closing any connection still open). */
export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/**
 * Creates a uniquely named database on the run's PostgreSQL server (test/support/global-setup.ts),
 * applies the migrations to it (unless `migrate: false`) and returns its URL. Call `drop()` when done.
 */
export async function createTestDatabase(options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const adminUrl = inject("postgresAdminUrl");
  const name = `test_${process.pid}_${Date.now().toString(36)}_${randomBytes(4).toString("hex")}`;
  await withAdminClient(adminUrl, (client) => client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  try {
    if (options.migrate !== false) await migratePostgres(url.toString(), () => undefined);
  } catch (error) {
    await dropDatabase(adminUrl, name);
    throw error;
  }
  return { url: url.toString(), drop: () => dropDatabase(adminUrl, name) };
}

async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  await withAdminClient(adminUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(name)} WITH (FORCE)`));
}

async function withAdminClient<T>(adminUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
