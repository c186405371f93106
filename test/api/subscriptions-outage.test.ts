/**
 * The notification channel survives the database dropping its connection: once the listener is back, a
 * revocation still closes the socket, and a revocation made while nobody listened is found by the re-check.
 * @see issue 12
 */
import pg from "pg";
import { afterAll, beforeAll, expect, test } from "vitest";
import { LogoutDocument, RevokeSessionDocument } from "../generated/graphql.js";
import { startTestApi, type TestApi } from "../support/api.js";
import { createAccount, logInOk } from "../support/accounts.js";
import { before, openSocket, SESSION_ENDED } from "../support/sockets.js";
import { LISTENER_APPLICATION_NAME } from "../../src/storage/postgres/session-end-listener.js";
import { silentLogger } from "../../src/logger.js";

let a: TestApi;
let b: TestApi;
// B's listener: each time it listens again, and a gate it waits at before reconnecting
const listening: Array<() => void> = [];
let gate: { reached: () => void; open: Promise<void> } | null = null;

beforeAll(async () => {
  a = await startTestApi({ SESSION_LIMIT: "0" });
  b = await startTestApi({ SESSION_LIMIT: "0" }, a.databaseUrl, undefined, silentLogger, {
    feed: {
      beforeReconnect: async () => {
        if (!gate) return;
        gate.reached();
        await gate.open;
      },
      onListening: () => listening.shift()?.(),
    },
  });
});
afterAll(async () => {
  await b?.close();
  await a?.close();
});

/** Terminates the listeners' backends in this database, as a database restart does to every connection. */
async function dropListenerConnections(): Promise<number> {
  const client = new pg.Client({ connectionString: a.databaseUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1 AND datname = current_database()",
      [LISTENER_APPLICATION_NAME],
    );
    return rowCount ?? 0;
  } finally {
    await client.end();
  }
}

/** A session of a fresh user watched over a socket on B, and a second session to act from on A. */
async function watched() {
  const { creds } = await createAccount(a);
  const session = await logInOk(a, creds, "watched");
  const other = await logInOk(a, creds, "other");
  const socket = openSocket(b.wsUrl, session.accessToken);
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
  return { session, other, socket, sub };
}

test("after the listener's connection is dropped and re-established, a revocation still closes the socket", async () => {
  const { session, other, socket, sub } = await watched();
  const back = new Promise<void>((resolve) => listening.push(resolve));
  expect(await dropListenerConnections()).toBeGreaterThanOrEqual(1);
  await before(back, 10_000, "listener back");
  await a.graphql(RevokeSessionDocument, { sessionId: session.session.id }, { token: other.accessToken });
  expect((await before(socket.closed, 1_000, "closed")).code).toBe(4401);
  expect(sub.results).toEqual([{ data: { sessionEnded: { id: session.session.id, status: "REVOKED" } } }]);
});

test("a session ended while the listener was down is found when it reconnects", async () => {
  const first = await watched();
  const second = await watched();
  let reached!: () => void;
  let open!: () => void;
  const atGate = new Promise<void>((resolve) => (reached = resolve));
  gate = { reached, open: new Promise<void>((resolve) => (open = resolve)) };
  const back = new Promise<void>((resolve) => listening.push(resolve));
  try {
    await dropListenerConnections();
    await before(atGate, 10_000, "listener down");
    // B hears nothing of these: its listener is held down
    await a.graphql(LogoutDocument, {}, { token: first.session.accessToken });
    await a.graphql(RevokeSessionDocument, { sessionId: second.session.session.id }, { token: second.other.accessToken });
    expect(first.sub.results).toEqual([]);
  } finally {
    gate = null;
    open();
  }
  await before(back, 10_000, "listener back");
  expect((await before(first.socket.closed, 1_000, "first closed")).code).toBe(4401);
  expect((await before(second.socket.closed, 1_000, "second closed")).code).toBe(4401);
  expect(first.sub.results).toEqual([{ data: { sessionEnded: { id: first.session.session.id, status: "LOGGED_OUT" } } }]);
  expect(second.sub.results).toEqual([{ data: { sessionEnded: { id: second.session.session.id, status: "REVOKED" } } }]);
});
