/**
 * A database that stops answering (every PostgreSQL process SIGSTOPped, as in a network partition or a VM
 * pause) never holds a request: each call has a client-side deadline (connection and statement), answered
 * SERVICE_UNAVAILABLE with Retry-After. The outage is logged once, its end once with the count of refused
 * requests, and the API recovers on SIGCONT. Uses a PostgreSQL server of its own. @see issue 10
 */
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, expect, test } from "vitest";
import { findFreePort } from "../../bench/processes.js";
import type { Logger } from "../../src/logger.js";
import { startEmbeddedPostgres, type EmbeddedPostgresServer } from "../../src/storage/postgres/embedded.js";
import { migratePostgres } from "../../src/storage/postgres/migrate.js";
import { LoginDocument, MeDocument, SignUpDocument } from "../generated/graphql.js";
import { newCredentials, startTestApi, type GraphQLResponse, type TestApi } from "../support/api.js";

const logged: Array<{ level: string; message: string; fields?: Record<string, unknown> }> = [];
const recordingLog: Logger = {
  debug: () => undefined,
  info: (message, fields) => logged.push({ level: "info", message, fields }),
  warn: (message, fields) => logged.push({ level: "warn", message, fields }),
  error: (message, fields) => logged.push({ level: "error", message, fields }),
};

let dataDir: string;
let postgres: EmbeddedPostgresServer;
let api: TestApi;
let frozen: number[] = [];

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), "auth-frozen-postgres-"));
  postgres = await startEmbeddedPostgres({ dataDir, port: await findFreePort(), database: "frozen", settings: { fsync: "off" }, log: () => undefined });
  await migratePostgres(postgres.url, () => undefined);
  api = await startTestApi({ RATE_LIMIT_ENABLED: "true", DATABASE_TIMEOUT: "1s" }, postgres.url, undefined, recordingLog);
}, 120_000);

afterAll(async () => {
  signal(frozen, "SIGCONT");
  await api?.close();
  await postgres?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

/** The postmaster (parent of any backend) and all its children: every process of the server. */
async function serverProcesses(url: string): Promise<number[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const parentOf = async (pid: number) => Number((await readFile(`/proc/${pid}/stat`, "utf8").catch(() => "")).split(") ")[1]?.split(" ")[1]);
  const { rows } = await client.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
  const postmaster = await parentOf(rows[0]!.pid); // while the backend still exists
  await client.end();
  if (!(postmaster > 1)) throw new Error("cannot find the PostgreSQL server's processes");
  const children: number[] = [];
  for (const entry of await readdir("/proc")) {
    if (/^\d+$/.test(entry) && (await parentOf(Number(entry))) === postmaster) children.push(Number(entry));
  }
  return [postmaster, ...children];
}

function signal(pids: number[], name: NodeJS.Signals) {
  for (const pid of pids) {
    try {
      process.kill(pid, name);
    } catch {
      // gone already
    }
  }
}

function expectUnavailable(res: GraphQLResponse<unknown>) {
  expect(res.status).toBe(503);
  expect(res.errors?.[0]?.extensions).toMatchObject({ code: "SERVICE_UNAVAILABLE", reason: "DATABASE_UNAVAILABLE" });
  expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
}

test("a frozen PostgreSQL: every request gets 503 with Retry-After instead of hanging; one log line each for the outage and its end", async () => {
  const creds = newCredentials("frozen");
  const signedUp = await api.graphql(SignUpDocument, { input: creds });
  expect(signedUp.status).toBe(200);
  const token = signedUp.data!.signUp.accessToken;
  const base = api.url.replace(/\/graphql$/, "");

  frozen = await serverProcesses(postgres.url);
  signal(frozen, "SIGSTOP");
  const states = async () => Promise.all(frozen.map(async (pid) => (await readFile(`/proc/${pid}/stat`, "utf8").catch(() => ") T")).split(") ")[1]?.[0]));
  await expect.poll(states).toEqual(frozen.map(() => "T")); // every process of the server is stopped

  // the per-request session check: a statement sent to a server that never answers
  expectUnavailable(await api.graphql(MeDocument, {}, { token }));
  // more requests than the pool has connections: the rest wait for a connection, within the same deadline
  for (const res of await Promise.all(Array.from({ length: 8 }, () => api.graphql(MeDocument, {}, { token })))) expectUnavailable(res);
  // login: the rate limiters' own pool is bounded too
  expectUnavailable(await api.graphql(LoginDocument, { input: { login: creds.email, password: creds.password } }));
  expect((await fetch(`${base}/readyz`)).status).toBe(503);

  const errors = logged.filter((line) => line.level === "error");
  expect(errors.map((line) => line.message)).toEqual([expect.stringContaining("database unavailable")]);
  expect(JSON.stringify(errors[0]!.fields)).not.toContain("    at "); // no stack trace

  signal(frozen, "SIGCONT");
  frozen = [];
  await expect.poll(async () => (await api.graphql(MeDocument, {}, { token })).status, { timeout: 30_000, interval: 250 }).toBe(200);
  await expect.poll(() => logged.find((line) => line.message === "database available again"), { timeout: 10_000 }).toBeTruthy();
  const end = logged.find((line) => line.message === "database available again")!;
  expect(end.fields?.refusedRequests).toBeGreaterThanOrEqual(10);
  expect(logged.filter((line) => line.level === "error")).toHaveLength(1);
}, 120_000);
