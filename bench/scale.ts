/**
 * The scale run (`BENCH_SCALE=1e6`, issue 16): `me` on small tables, then on tables holding BENCH_SCALE more users
 * and sessions seeded with SQL, then while the store's session sweep expires all those overdue sessions.
 */
import pg from "pg";
import { createPostgresStore } from "../src/storage/postgres/postgres-store.js";
import { ME_SCALE_BIG, ME_SCALE_SMALL, ME_SCALE_SWEEP } from "./goals.js";
import { driveMe, type Load, type ScenarioResult } from "./scenarios.js";

/** What the scale run did besides `me`: the seeding and the sweep, for the report. */
export interface ScaleResult {
  rows: number;
  seedSeconds: number;
  sweep: { seconds: number; expired: number | null; error: string | null; windowSeconds: number };
}

/**
 * Seeds `rows` users with one session each, all ACTIVE but past expiry (what a sweep finds after a quiet month),
 * in two set-based statements, then VACUUM ANALYZE so autovacuum does not start in the middle of a measurement.
 */
export async function seedScale(databaseUrl: string, rows: number): Promise<number> {
  const started = performance.now();
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(
      `INSERT INTO users (id, email, username, password_hash, updated_at)
       SELECT gen_random_uuid(), 'scale' || g || '@example.com', 'scale' || g, 'seeded-without-password', now()
       FROM generate_series(1, $1::int) AS g`,
      [rows],
    );
    await client.query(
      `INSERT INTO sessions (id, user_id, status, created_at, last_used_at, expires_at)
       SELECT gen_random_uuid(), id, 'ACTIVE', now() - interval '31 days', now() - interval '31 days', now() - interval '1 day'
       FROM users WHERE email LIKE 'scale%@example.com'`,
    );
    await client.query("VACUUM ANALYZE users, sessions");
  } finally {
    await client.end();
  }
  return (performance.now() - started) / 1000;
}

/** Runs the three `me` measurements around the seeding and the sweep; `record` prints and keeps each result. */
export async function runScaleScenario(options: {
  apiUrl: string;
  databaseUrl: string;
  rows: number;
  meLoad: Load;
  tokens: readonly string[];
  record: (result: ScenarioResult) => void;
  say: (message: string) => void;
}): Promise<ScaleResult> {
  const { apiUrl, databaseUrl, rows, meLoad, tokens, record, say } = options;
  const warmUp = () => driveMe("warm-up", "api", apiUrl, { ...meLoad, durationSeconds: Math.min(3, meLoad.durationSeconds) }, tokens);
  await warmUp();
  record(await driveMe(ME_SCALE_SMALL, "api", apiUrl, meLoad, tokens));
  say(`seeding ${rows} users and ${rows} overdue sessions with SQL…`);
  const seedSeconds = await seedScale(databaseUrl, rows);
  say(`  seeded and analysed in ${seedSeconds.toFixed(1)} s`);
  await warmUp();
  record(await driveMe(ME_SCALE_BIG, "api", apiUrl, meLoad, tokens));

  // the same store and timeouts as the API's maintenance sweep, from this process so its moment is known
  const store = createPostgresStore({ url: databaseUrl, poolSize: 2 });
  const sweep: ScaleResult["sweep"] = { seconds: 0, expired: null, error: null, windowSeconds: 0 };
  try {
    say(`me while the session sweep expires ${rows} overdue sessions…`);
    const windowStarted = performance.now();
    const sweepDone = (async () => {
      await new Promise((resolve) => setTimeout(resolve, 1_000)); // me is at full load when the sweep starts
      const started = performance.now();
      try {
        const now = new Date();
        const swept = await store.sweepSessions(now, new Date(now.getTime() - 30 * 86_400_000));
        sweep.expired = swept.expired;
      } catch (error) {
        sweep.error = error instanceof Error ? error.message : String(error);
      }
      sweep.seconds = (performance.now() - started) / 1000;
    })();
    // me runs at least the usual duration and on until the sweep is over
    const minimum = new Promise((resolve) => setTimeout(resolve, meLoad.durationSeconds * 1000));
    const result = await driveMe(ME_SCALE_SWEEP, "api", apiUrl, { ...meLoad, durationSeconds: 3_600, until: Promise.all([sweepDone, minimum]) }, tokens);
    sweep.windowSeconds = (performance.now() - windowStarted) / 1000;
    record(result);
    say(`  sweep: ${sweep.error === null ? `${sweep.expired} sessions expired` : `FAILED (${sweep.error})`} in ${sweep.seconds.toFixed(1)} s`);
  } finally {
    await store.close();
  }
  return { rows, seedSeconds, sweep };
}
