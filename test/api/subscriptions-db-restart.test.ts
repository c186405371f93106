/**
 * A real database restart while sockets are open: a PostgreSQL server of this test's own is stopped and
 * started again; afterwards a revocation on the other instance still closes the socket.
 * @see issue 12
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { findFreePort } from "../../bench/processes.js";
import { silentLogger } from "../../src/logger.js";
import { startEmbeddedPostgres, type EmbeddedPostgresServer } from "../../src/storage/postgres/embedded.js";
import { migratePostgres } from "../../src/storage/postgres/migrate.js";
import { RevokeSessionDocument } from "../generated/graphql.js";
import { startTestApi, type TestApi } from "../support/api.js";
import { createAccount, logInOk } from "../support/accounts.js";
import { before, openSocket, SESSION_ENDED } from "../support/sockets.js";

let dataDir: string;
let port: number;
let server: EmbeddedPostgresServer;
let a: TestApi;
let b: TestApi;
const listening: Array<() => void> = [];

const startServer = () =>
  startEmbeddedPostgres({ dataDir, port, database: "restart_test", settings: { fsync: "off", synchronous_commit: "off" }, log: () => undefined });

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), "auth-restart-test-"));
  port = await findFreePort();
  server = await startServer();
  await migratePostgres(server.url, () => undefined);
  a = await startTestApi({ SESSION_LIMIT: "0" }, server.url);
  b = await startTestApi({ SESSION_LIMIT: "0" }, server.url, undefined, silentLogger, { feed: { onListening: () => listening.shift()?.() } });
}, 120_000);
afterAll(async () => {
  await b?.close();
  await a?.close();
  await server?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

test("after PostgreSQL restarts, a revocation still closes the socket, and sockets stayed open meanwhile", async () => {
  const { creds } = await createAccount(a);
  const watched = await logInOk(a, creds, "watched");
  const other = await logInOk(a, creds, "other");
  const socket = openSocket(b.wsUrl, watched.accessToken);
  await socket.connected;
  const running = b.app.subscriptions.operations;
  const sub = socket.subscribe(SESSION_ENDED);
  await before(
    (async () => {
      while (b.app.subscriptions.operations <= running) await new Promise((resolve) => setTimeout(resolve, 5));
    })(),
    5_000,
    "subscribed",
  );

  const back = new Promise<void>((resolve) => listening.push(resolve));
  await server.stop();
  server = await startServer();
  await before(back, 30_000, "listener back after the restart");

  // the restart itself ended nothing: the socket is still open and has heard nothing
  expect(sub.results).toEqual([]);
  let revoked = await a.graphql(RevokeSessionDocument, { sessionId: watched.session.id }, { token: other.accessToken });
  // the first request after a restart may meet a pooled connection the restart killed
  if (revoked.status === 503) revoked = await a.graphql(RevokeSessionDocument, { sessionId: watched.session.id }, { token: other.accessToken });
  expect(revoked.status).toBe(200);
  expect((await before(socket.closed, 1_000, "closed")).code).toBe(4401);
  expect(sub.results).toEqual([{ data: { sessionEnded: { id: watched.session.id, status: "REVOKED" } } }]);
}, 60_000);
