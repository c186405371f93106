/**
 * Database outage: while PostgreSQL is down every operation that needs it (login with its rate limits, the
 * per-request session check, readiness) answers SERVICE_UNAVAILABLE (503, Retry-After) without driver text,
 * and the API recovers by itself when the database returns. Uses a PostgreSQL of its own, stopped and
 * restarted inside the test. @see issue 5
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { findFreePort } from "../../bench/processes.js";
import { LoginDocument, MeDocument, SignUpDocument } from "../generated/graphql.js";
import { startEmbeddedPostgres, type EmbeddedPostgresServer } from "../../src/storage/postgres/embedded.js";
import { migratePostgres } from "../../src/storage/postgres/migrate.js";
import { errorCode, newCredentials, startTestApi, type GraphQLResponse, type TestApi } from "../support/api.js";

let dataDir: string;
let port: number;
let postgres: EmbeddedPostgresServer | null = null;
let api: TestApi;

const startPostgres = () =>
  startEmbeddedPostgres({ dataDir, port, database: "outage", settings: { fsync: "off", synchronous_commit: "off" }, log: () => undefined });

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), "auth-outage-postgres-"));
  port = await findFreePort();
  postgres = await startPostgres();
  await migratePostgres(postgres.url, () => undefined);
  api = await startTestApi({ RATE_LIMIT_ENABLED: "true" }, postgres.url);
}, 120_000);

afterAll(async () => {
  await api?.close();
  await postgres?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

function expectUnavailable(res: GraphQLResponse<unknown>) {
  expect(res.status).toBe(503);
  expect(errorCode(res)).toBe("SERVICE_UNAVAILABLE");
  expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
  const text = JSON.stringify(res.errors);
  expect(text).not.toMatch(/ECONNREFUSED|postgres|prisma|connect|terminat|127\.0\.0\.1|\bat /i);
  expect(res.data ?? null).toBeNull();
}

test("while the database is down: 503 with Retry-After everywhere; afterwards: recovery without a restart", async () => {
  const creds = newCredentials("outage");
  const signedUp = await api.graphql(SignUpDocument, { input: creds });
  expect(signedUp.status).toBe(200);
  const token = signedUp.data!.signUp.accessToken;
  const base = api.url.replace(/\/graphql$/, "");

  await postgres!.stop();
  postgres = null;

  // login: the rate limiter's store is down too: it fails closed, never lets the attempt through
  expectUnavailable(await api.graphql(LoginDocument, { input: { login: creds.email, password: creds.password } }));
  // the per-request session check (DataLoader batch) of a protected query, with a valid token
  expectUnavailable(await api.graphql(MeDocument, {}, { token }));
  // several at once (one batch) answer alike
  for (const res of await Promise.all([1, 2, 3].map(() => api.graphql(MeDocument, {}, { token })))) expectUnavailable(res);
  expectUnavailable(await api.graphql(SignUpDocument, { input: newCredentials("outage") }));
  const ready = await fetch(`${base}/readyz`);
  expect(ready.status).toBe(503);
  expect(await ready.text()).not.toMatch(/ECONNREFUSED|postgres/i);
  expect((await fetch(`${base}/healthz`)).status).toBe(200); // the process itself is alive

  postgres = await startPostgres();

  await expect.poll(async () => (await fetch(`${base}/readyz`)).status, { timeout: 20_000, interval: 250 }).toBe(200);
  await expect.poll(async () => (await api.graphql(MeDocument, {}, { token })).status, { timeout: 20_000, interval: 250 }).toBe(200);
  const login = await api.graphql(LoginDocument, { input: { login: creds.email, password: creds.password } });
  expect(login.status).toBe(200);
}, 120_000);
