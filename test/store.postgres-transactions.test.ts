import { randomUUID } from "node:crypto";
import pg from "pg";
import { expect, test } from "vitest";
import { createPostgresStore } from "../src/storage/postgres/postgres-store.js";
import { StoreUnavailableError } from "../src/auth/ports/store.js";
import { createTestDatabase } from "./support/postgres.js";

// The login transaction runs on a connection of the store's own pool (not through Prisma): a connection lost in
// the middle must surface as StoreUnavailableError, roll back, leave the process up and the pool usable.
test("postgres startSession: a connection lost mid-transaction fails with StoreUnavailableError, and the store recovers", async () => {
  const database = await createTestDatabase();
  const store = createPostgresStore({ url: database.url, poolSize: 2 });
  const admin = new pg.Client({ connectionString: database.url });
  await admin.connect();
  // polls pg_stat_activity outside admin's transaction (inside one, PostgreSQL keeps showing its first snapshot)
  const watcher = new pg.Client({ connectionString: database.url });
  await watcher.connect();
  try {
    const user = await store.createUser({ email: `tx-${randomUUID()}@example.com`, username: null, passwordHash: "x", roles: [], profile: {} });
    const newLogin = () => {
      const session = { id: randomUUID(), userId: user.id, createdAt: new Date(), expiresAt: new Date(Date.now() + 60_000), userAgent: null, ipAddress: null };
      const token = { id: randomUUID(), sessionId: session.id, secretHash: "h", createdAt: session.createdAt, expiresAt: session.expiresAt };
      return { session, token };
    };

    // hold the user's row lock, so the store's transaction waits inside its first statement; then cut its connection
    await admin.query("BEGIN");
    await admin.query("SELECT id FROM users WHERE id = $1 FOR NO KEY UPDATE", [user.id]);
    const first = newLogin();
    const started = store.startSession(first.session, first.token, () => ({ replace: [] }), new Date(), user.securityStamp);
    const outcome = started.catch((error: unknown) => error);
    for (let waited = 0; ; waited += 20) {
      const { rowCount } = await watcher.query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND datname = current_database() AND query LIKE '%FOR NO KEY UPDATE%' AND state = 'active' AND wait_event_type = 'Lock'",
      );
      if (rowCount) break;
      if (waited > 5_000) throw new Error("the store's transaction never waited on the lock");
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(await outcome).toBeInstanceOf(StoreUnavailableError);
    await admin.query("ROLLBACK");
    expect(await store.getSession(first.session.id)).toBeNull();

    const second = newLogin();
    expect(await store.startSession(second.session, second.token, () => ({ replace: [] }), new Date(), user.securityStamp)).toMatchObject({ ok: true });
    expect(await store.findRefreshToken(second.token.id)).toMatchObject({ sessionId: second.session.id });
  } finally {
    await admin.end();
    await watcher.end();
    await store.close();
    await database.drop();
  }
});

// statement_timeout bounds every statement, a lock wait included: a request never hangs on a stuck lock.
test("postgres startSession: a lock held past the statement timeout fails with StoreUnavailableError, storing nothing", async () => {
  const database = await createTestDatabase();
  const store = createPostgresStore({ url: database.url, poolSize: 2, statementTimeoutMs: 300 });
  const admin = new pg.Client({ connectionString: database.url });
  await admin.connect();
  try {
    const user = await store.createUser({ email: `timeout-${randomUUID()}@example.com`, username: null, passwordHash: "x", roles: [], profile: {} });
    const session = { id: randomUUID(), userId: user.id, createdAt: new Date(), expiresAt: new Date(Date.now() + 60_000), userAgent: null, ipAddress: null };
    const token = { id: randomUUID(), sessionId: session.id, secretHash: "h", createdAt: session.createdAt, expiresAt: session.expiresAt };
    await admin.query("BEGIN");
    await admin.query("SELECT id FROM users WHERE id = $1 FOR NO KEY UPDATE", [user.id]);
    const outcome = await store.startSession(session, token, () => ({ replace: [] }), new Date(), user.securityStamp).catch((error: unknown) => error);
    expect(outcome).toBeInstanceOf(StoreUnavailableError);
    await admin.query("ROLLBACK");
    expect(await store.getSession(session.id)).toBeNull();
    expect(await store.startSession(session, token, () => ({ replace: [] }), new Date(), user.securityStamp)).toMatchObject({ ok: true });
  } finally {
    await admin.end();
    await store.close();
    await database.drop();
  }
});
