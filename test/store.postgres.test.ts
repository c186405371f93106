import { createHash, randomUUID } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import pg from "pg";
import { describe, expect, test } from "vitest";
import { findFreePort } from "../bench/processes.js";
import { defaultMigrationsDir, migratePostgres } from "../src/storage/postgres/migrate.js";
import { createPostgresStore } from "../src/storage/postgres/postgres-store.js";
import { StoreUnavailableError } from "../src/auth/ports/store.js";
import { at, describeStoreContract, newSession, newToken, newUser, unlimited } from "./store-contract.js";
import { createTestDatabase } from "./support/postgres.js";

describeStoreContract("postgres", async () => {
  const database = await createTestDatabase();
  const store = createPostgresStore({ url: database.url, poolSize: 8 });
  return {
    store,
    cleanup: async () => {
      await store.close();
      await database.drop();
    },
  };
});

/** @see issue 16: one statement over a million overdue sessions outlived the statement timeout, so the sweep never finished. */
describe("postgres store, session sweep in batches", () => {
  test("expires every overdue session and purges every old ended one, a few rows per statement", async () => {
    const database = await createTestDatabase();
    const store = createPostgresStore({ url: database.url, poolSize: 2, sweepBatchSize: 3 });
    try {
      const user = await store.createUser(newUser());
      const start = async (expiresAt: Date) => {
        const session = newSession(user.id, at(0), expiresAt);
        const result = await store.startSession(session, newToken(session.id, at(0), expiresAt), unlimited, at(0), user.securityStamp);
        if (!result.ok) throw new Error("login refused");
        return result.session.id;
      };
      const overdue = await Promise.all(Array.from({ length: 10 }, () => start(at(100))));
      const live = await start(at(10_000));
      const loggedOut = await Promise.all(Array.from({ length: 7 }, () => start(at(10_000))));
      for (const id of loggedOut) await store.endSession(id, "LOGGED_OUT", at(50));
      // 10 to expire and 7 to purge: each needs several statements of 3 rows, the last one partly filled
      expect(await store.sweepSessions(at(200), at(100))).toEqual({ expired: 10, purged: 7 });
      for (const id of overdue) expect(await store.getSession(id)).toMatchObject({ status: "EXPIRED", endedAt: at(200) });
      for (const id of loggedOut) expect(await store.getSession(id)).toBeNull();
      expect(await store.getSession(live)).toMatchObject({ status: "ACTIVE" });
      expect(await store.sweepSessions(at(200), at(100))).toEqual({ expired: 0, purged: 0 });
      // a whole number of batches (9 = 3 × 3) ends with one empty statement
      expect(await store.sweepSessions(at(300), at(250))).toEqual({ expired: 0, purged: 10 });
    } finally {
      await store.close();
      await database.drop();
    }
  });
});

describe("postgres store, when the database is unreachable", () => {
  test("every call fails with StoreUnavailableError", async () => {
    const store = createPostgresStore({ url: `postgresql://nobody:secret@127.0.0.1:${await findFreePort()}/none`, poolSize: 2, connectTimeoutMs: 1000 });
    try {
      const session = { id: randomUUID(), userId: randomUUID(), createdAt: new Date(), expiresAt: new Date(), userAgent: null, ipAddress: null };
      const token = { id: "t", sessionId: session.id, secretHash: "h", createdAt: new Date(), expiresAt: new Date() };
      const calls = [
        () => store.ping(),
        () => store.findUserByLogin("ada@example.com"),
        () => store.createUser({ email: "ada@example.com", username: null, passwordHash: "x", roles: [], profile: {} }),
        () => store.startSession(session, token, () => ({ replace: [] }), new Date(), "stamp"),
        () => store.rotateRefreshToken("t", { ...token, id: "u", sealedForPredecessor: "s" }, new Date(), new Date()),
      ];
      for (const call of calls) await expect(call()).rejects.toBeInstanceOf(StoreUnavailableError);
    } finally {
      await store.close();
    }
  });

  test("recovers once the server has dropped its connections", async () => {
    const database = await createTestDatabase();
    const store = createPostgresStore({ url: database.url, poolSize: 2 });
    try {
      await store.ping();
      const admin = new pg.Client({ connectionString: database.url });
      await admin.connect();
      await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()");
      await admin.end();
      await new Promise((resolve) => setTimeout(resolve, 50));
      await expect(store.ping()).resolves.toBeUndefined();
    } finally {
      await store.close();
      await database.drop();
    }
  });
});

describe("migratePostgres()", () => {
  async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return (await client.query<T>(sql)).rows;
    } finally {
      await client.end();
    }
  }

  test("applies each migration once, recorded as Prisma records it, even when instances start together", async () => {
    const database = await createTestDatabase({ migrate: false });
    try {
      const logs: string[] = [];
      await Promise.all([1, 2, 3].map(() => migratePostgres(database.url, (msg) => logs.push(msg))));
      const dir = defaultMigrationsDir();
      const names = (await readdir(dir, { withFileTypes: true }))
        .filter((e) => e.isDirectory())
        .map((e) => e.name)
        .sort();
      const expected = await Promise.all(
        names.map(async (name) => ({
          migration_name: name,
          checksum: createHash("sha256")
            .update(await readFile(path.join(dir, name, "migration.sql")))
            .digest("hex"),
          applied_steps_count: 1,
          rolled_back_at: null,
          finished: true,
        })),
      );
      const rows = await query(
        database.url,
        `SELECT migration_name, checksum, applied_steps_count, rolled_back_at, finished_at IS NOT NULL AS finished FROM _prisma_migrations ORDER BY migration_name`,
      );
      expect(rows).toEqual(expected);
      expect(logs.filter((msg) => msg.startsWith("applying"))).toHaveLength(names.length);
      expect(await query(database.url, "SELECT count(*)::int AS n FROM users")).toEqual([{ n: 0 }]);
    } finally {
      await database.drop();
    }
  });

  test("refuses to go on after a failed migration, as prisma migrate deploy does", async () => {
    const database = await createTestDatabase();
    try {
      await query(database.url, `UPDATE _prisma_migrations SET finished_at = NULL`);
      await expect(migratePostgres(database.url, () => undefined)).rejects.toThrow(/failed earlier/);
    } finally {
      await database.drop();
    }
  });
});
