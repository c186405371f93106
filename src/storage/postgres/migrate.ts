import { createHash, randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";

// The key `prisma migrate` itself locks, so this and `prisma migrate deploy` never run at once either.
const ADVISORY_LOCK_KEY = 72707369;

// Prisma's own DDL for its history table (PostgreSQL), so `prisma migrate deploy` reads ours as its own.
const CREATE_HISTORY_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

interface HistoryRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
}

/** prisma/postgresql/migrations, found from this file in src/ (tsx, vitest) or dist/src/ (tsc output). */
export function defaultMigrationsDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [path.resolve(here, "../../../prisma/postgresql/migrations"), path.resolve(here, "../../../../prisma/postgresql/migrations")];
  return candidates.find((dir) => existsSync(dir)) ?? candidates[0]!;
}

/**
 * Applies the pending migrations of Prisma's folder format without Prisma's native engine, recording them in
 * `_prisma_migrations` exactly as Prisma does. Each migration runs in its own transaction: a failing one is
 * rolled back entirely (and not recorded), so the next start simply retries it. Instances starting together
 * are serialised by an advisory lock; the later ones find nothing left to do.
 */
export async function migratePostgres(url: string, log: (msg: string) => void, migrationsDir = defaultMigrationsDir()): Promise<void> {
  const migrations = await readMigrations(migrationsDir);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query("SELECT pg_advisory_lock($1)", [ADVISORY_LOCK_KEY]);
    try {
      await client.query(CREATE_HISTORY_TABLE);
      const history = await client.query<HistoryRow>(
        `SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations" ORDER BY started_at`,
      );
      const applied = checkHistory(history.rows, migrations, log);
      const pending = migrations.filter((migration) => !applied.has(migration.name));
      for (const migration of pending) await applyMigration(client, migration, log);
      if (pending.length === 0) log(`database schema is up to date (${migrations.length} migrations)`);
    } finally {
      await client.query("SELECT pg_advisory_unlock($1)", [ADVISORY_LOCK_KEY]);
    }
  } finally {
    await client.end();
  }
}

async function readMigrations(dir: string): Promise<Migration[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const names = entries
    .filter((entry) => entry.isDirectory() && existsSync(path.join(dir, entry.name, "migration.sql")))
    .map((entry) => entry.name)
    .sort();
  return Promise.all(
    names.map(async (name) => {
      const bytes = await readFile(path.join(dir, name, "migration.sql"));
      return { name, sql: bytes.toString("utf8"), checksum: createHash("sha256").update(bytes).digest("hex") };
    }),
  );
}

/** Returns the names already applied; refuses to go on after a failed migration, as `prisma migrate deploy` does. */
function checkHistory(rows: HistoryRow[], migrations: Migration[], log: (msg: string) => void): Set<string> {
  const known = new Map(migrations.map((migration) => [migration.name, migration]));
  const applied = new Set<string>();
  for (const row of rows) {
    if (row.rolled_back_at !== null) continue;
    if (row.finished_at === null) {
      throw new Error(`migration ${row.migration_name} failed earlier and was not rolled back; resolve it (prisma migrate resolve) first`);
    }
    applied.add(row.migration_name);
    const migration = known.get(row.migration_name);
    if (migration === undefined) log(`warning: applied migration ${row.migration_name} is missing from the migrations folder`);
    else if (migration.checksum !== row.checksum) log(`warning: migration ${row.migration_name} was modified after it was applied`);
  }
  return applied;
}

async function applyMigration(client: pg.Client, migration: Migration, log: (msg: string) => void): Promise<void> {
  log(`applying migration ${migration.name}`);
  await client.query("BEGIN");
  try {
    const id = randomUUID();
    await client.query(`INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, applied_steps_count) VALUES ($1, $2, $3, now(), 0)`, [
      id,
      migration.checksum,
      migration.name,
    ]);
    await client.query(migration.sql); // simple query protocol: runs every statement of the file
    await client.query(`UPDATE "_prisma_migrations" SET finished_at = clock_timestamp(), applied_steps_count = 1 WHERE id = $1`, [id]);
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw new Error(`migration ${migration.name} failed and was rolled back: ${(error as Error).message}`, { cause: error });
  }
}
