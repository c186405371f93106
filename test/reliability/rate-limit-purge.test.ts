/**
 * The rate_limits table is bounded by the counters that are still live: expired ones are deleted (every minute)
 * instead of an hour after their expiry, in batches. @see issue 10
 */
import pg from "pg";
import { afterAll, beforeAll, expect, test } from "vitest";
import { createPostgresRateLimiters, RATE_LIMIT_TABLE } from "../../src/storage/postgres/rate-limiters.js";
import { createTestDatabase, type TestDatabase } from "../support/postgres.js";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database?.drop();
});

test("purgeExpired() deletes every expired counter and keeps the live ones, which go on counting", async () => {
  const limiters = createPostgresRateLimiters({ url: database.url });
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    const live = limiters.create({ name: "live", points: 5, durationSeconds: 3600, blockSeconds: 0 });
    await live.consume("a");
    // 25,000 counters of a storm of rotating addresses, all expired: more than one purge batch
    await client.query(`INSERT INTO ${RATE_LIMIT_TABLE} (key, points, expire) SELECT 'storm:' || i, 1, $1 FROM generate_series(1, 25000) AS i`, [
      Date.now() - 1_000,
    ]);
    expect(await limiters.purgeExpired()).toBe(25_000);
    const { rows } = await client.query<{ key: string }>(`SELECT key FROM ${RATE_LIMIT_TABLE}`);
    expect(rows.map((row) => row.key)).toEqual(["live:a"]);
    expect(await live.consume("a")).toEqual({ ok: true, consumed: 2 });
  } finally {
    await client.end();
    await limiters.close();
  }
});
