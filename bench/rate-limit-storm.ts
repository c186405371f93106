/**
 * `npx tsx bench/rate-limit-storm.ts`: how big the rate_limits table gets under a login storm from rotating
 * addresses. Starts the API (src/main.ts, rate limits on, TRUST_PROXY=1 so each request can claim its own
 * address) on an embedded PostgreSQL in a temp dir, or on BENCH_DATABASE_URL; sends failed logins for one real
 * account and for unknown ones, each from a new IPv4 address, for STORM_SECONDS (default 120) over
 * STORM_CONNECTIONS (default 16) connections; then prints the table's rows by limiter, how many have already
 * expired (deleted by the next minutely purge), and rows per attempt; again STORM_AFTER_SECONDS (default 90) later.
 * @see issue 10
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { startEmbeddedPostgres } from "../src/storage/postgres/embedded.js";
import { cleanUp, findFreePort, installExitHandlers, onCleanup, startNodeChild, waitUntilReady } from "./processes.js";

const seconds = Number(process.env.STORM_SECONDS ?? 120);
const connections = Number(process.env.STORM_CONNECTIONS ?? 16);
const afterSeconds = Number(process.env.STORM_AFTER_SECONDS ?? 90);

async function main(): Promise<void> {
  installExitHandlers();
  const tmp = await mkdtemp(path.join(os.tmpdir(), "rate-limit-storm-"));
  onCleanup(() => rm(tmp, { recursive: true, force: true }));
  let databaseUrl = process.env.BENCH_DATABASE_URL;
  if (!databaseUrl) {
    const server = await startEmbeddedPostgres({ dataDir: path.join(tmp, "pg"), port: await findFreePort(), database: "storm", log: () => undefined });
    onCleanup(() => server.stop());
    databaseUrl = server.url;
  }
  const port = await findFreePort();
  const api = startNodeChild({
    name: "api",
    script: "src/main.ts",
    logFile: path.join(tmp, "api.log"),
    env: {
      ...process.env,
      NODE_ENV: "production",
      JWT_SECRET: "storm-bench-secret-0123456789-abcdefghijklmnopqrstuvwxyz",
      DATABASE_URL: databaseUrl,
      HOST: "127.0.0.1",
      PORT: String(port),
      TRUST_PROXY: "1",
      RATE_LIMIT_ENABLED: "true",
      LOG_LEVEL: "warn",
    },
  });
  const base = `http://127.0.0.1:${port}`;
  await waitUntilReady(api, `${base}/readyz`);

  const post = (body: unknown, address: string) =>
    fetch(`${base}/graphql`, { method: "POST", headers: { "content-type": "application/json", "x-forwarded-for": address }, body: JSON.stringify(body) });
  const email = "storm-victim@example.com";
  await post(
    { query: "mutation($i: SignUpInput!) { signUp(input: $i) { accessToken } }", variables: { i: { email, password: "correct horse battery staple" } } },
    "192.0.2.1",
  );

  const login = "mutation($i: LoginInput!) { login(input: $i) { accessToken } }";
  const statuses = new Map<number, number>();
  let attempts = 0;
  const end = Date.now() + seconds * 1000;
  const worker = async () => {
    while (Date.now() < end) {
      attempts += 1;
      const n = attempts;
      const address = `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
      const target = n % 2 === 0 ? email : `nobody${n}@example.com`;
      const res = await post({ query: login, variables: { i: { login: target, password: `wrong password number ${n}` } } }, address);
      await res.arrayBuffer();
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    }
  };
  process.stdout.write(`storm: ${seconds} s over ${connections} connections…\n`);
  await Promise.all(Array.from({ length: connections }, worker));

  const report = async (when: string) => {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    const { rows } = await client.query<{ limiter: string; rows: string; expired: string }>(
      `SELECT split_part(key, ':', 1) AS limiter, count(*) AS rows, count(*) FILTER (WHERE expire < $1) AS expired
       FROM rate_limits GROUP BY 1 ORDER BY 2 DESC`,
      [Date.now()],
    );
    const size = await client.query<{ size: string }>("SELECT pg_size_pretty(pg_total_relation_size('rate_limits')) AS size");
    await client.end();
    const total = rows.reduce((sum, row) => sum + Number(row.rows), 0);
    const expired = rows.reduce((sum, row) => sum + Number(row.expired), 0);
    process.stdout.write(`${when}:\n`);
    process.stdout.write(`attempts: ${attempts} (${(attempts / seconds).toFixed(0)}/s); statuses: ${JSON.stringify(Object.fromEntries(statuses))}\n`);
    process.stdout.write(`rate_limits: ${total} rows (${(total / attempts).toFixed(2)} per attempt), ${size.rows[0]!.size}; already expired: ${expired}\n`);
    for (const row of rows) process.stdout.write(`  ${row.limiter.padEnd(26)} ${row.rows.padStart(8)} rows, ${row.expired} expired\n`);
  };
  await report("right after the storm");
  if (afterSeconds > 0) {
    await new Promise((resolve) => setTimeout(resolve, afterSeconds * 1000));
    await report(`${afterSeconds} s later (the API purges expired counters every minute)`);
  }
  await cleanUp();
}

main().catch(async (error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  await cleanUp();
  process.exit(1);
});
