/**
 * The WebSocket endpoint's limits in production mode: origins, introspection, the HTTP operation limits,
 * subscriptions per socket, sockets per session, message size, the connection-init timeout, shutdown.
 * @see issue 12
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import WebSocket from "ws";
import { startTestApi, type TestApi } from "../support/api.js";
import { accountWithSession } from "../support/accounts.js";
import { before, openSocket, SESSION_ENDED } from "../support/sockets.js";

let prod: TestApi;
beforeAll(async () => {
  prod = await startTestApi({
    NODE_ENV: "production",
    MAIL_ENABLED: "false",
    CORS_ORIGINS: "https://app.example.com",
    GRAPHQL_MAX_ALIASES: "1",
    WS_MAX_SUBSCRIPTIONS_PER_SOCKET: "2",
    WS_MAX_SOCKETS_PER_SESSION: "2",
    WS_MAX_MESSAGE_BYTES: "2048",
    WS_CONNECTION_INIT_TIMEOUT: "1s",
  });
});
afterAll(async () => {
  await prod?.close();
});

/** A raw socket's fate: the HTTP status of a refused upgrade, or the close code of an accepted one. */
function rawSocket(url: string, headers: Record<string, string> = {}) {
  const socket = new WebSocket(url, "graphql-transport-ws", { headers });
  const refused = new Promise<number>((resolve) => socket.on("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0)));
  const opened = new Promise<void>((resolve) => socket.on("open", () => resolve()));
  const closed = new Promise<number>((resolve) => socket.on("close", (code) => resolve(code)));
  socket.on("error", () => undefined);
  return { socket, refused, opened, closed };
}

describe("who may connect", () => {
  test("a browser page from an origin outside CORS_ORIGINS is refused at the upgrade (403), loopback too in production", async () => {
    expect(await rawSocket(prod.wsUrl, { origin: "https://evil.example" }).refused).toBe(403);
    expect(await rawSocket(prod.wsUrl, { origin: "http://localhost:5173" }).refused).toBe(403);
  });

  test("in development a loopback origin connects, as over HTTP", async () => {
    const dev = await startTestApi({}, prod.databaseUrl);
    try {
      const local = rawSocket(dev.wsUrl, { origin: "http://localhost:5173" });
      await local.opened;
      local.socket.close();
      expect(await rawSocket(dev.wsUrl, { origin: "https://evil.example" }).refused).toBe(403);
    } finally {
      await dev.close();
    }
  });

  test("an allowed origin, and a non-browser client without Origin, connect", async () => {
    const allowed = rawSocket(prod.wsUrl, { origin: "https://app.example.com" });
    await allowed.opened;
    allowed.socket.close();
    const plain = rawSocket(prod.wsUrl);
    await plain.opened;
    plain.socket.close();
  });

  test("a socket that never sends connection_init is closed (4408)", async () => {
    expect(await before(rawSocket(prod.wsUrl).closed, 5_000, "init timeout")).toBe(4408);
  });
});

describe("operations on a socket", () => {
  test("introspection is refused in production, without leaking the schema", async () => {
    const socket = openSocket(prod.wsUrl);
    await socket.connected;
    const { error } = await socket.subscribe("{ __schema { types { name } } }").done;
    expect(JSON.stringify(error)).toContain("GRAPHQL_VALIDATION_FAILED");
    expect(JSON.stringify(error)).not.toContain("AuthPayload");
    await socket.dispose();
  });

  test("queries and mutations belong on HTTP", async () => {
    const socket = openSocket(prod.wsUrl);
    await socket.connected;
    const { error } = await socket.subscribe("{ __typename }").done;
    expect(JSON.stringify(error)).toMatch(/Only subscriptions run over WebSocket/);
    await socket.dispose();
  });

  test("the HTTP limits apply (aliases here), with field suggestions hidden", async () => {
    const socket = openSocket(prod.wsUrl);
    await socket.connected;
    const aliases = await socket.subscribe("subscription { sessionEnded { a: id b: id c: id } }").done;
    expect(JSON.stringify(aliases.error)).toContain("GRAPHQL_VALIDATION_FAILED");
    const typo = await socket.subscribe("subscription { sessionEnde { id } }").done;
    expect(JSON.stringify(typo.error)).not.toMatch(/Did you mean/);
    await socket.dispose();
  });

  test("a message larger than WS_MAX_MESSAGE_BYTES closes the socket (1009)", async () => {
    const raw = rawSocket(prod.wsUrl);
    await raw.opened;
    raw.socket.send(JSON.stringify({ type: "connection_init", payload: { padding: "x".repeat(4096) } }));
    expect(await raw.closed).toBe(1009);
  });
});

describe("caps", () => {
  test("a socket runs at most WS_MAX_SUBSCRIPTIONS_PER_SOCKET subscriptions", async () => {
    const { payload } = await accountWithSession(prod);
    const socket = openSocket(prod.wsUrl, payload.accessToken);
    await socket.connected;
    socket.subscribe(SESSION_ENDED);
    socket.subscribe(SESSION_ENDED);
    const third = await socket.subscribe(SESSION_ENDED).done;
    expect(JSON.stringify(third.error)).toMatch(/At most 2 subscriptions per connection/);
    await socket.dispose();
  });

  test("a session holds at most WS_MAX_SOCKETS_PER_SESSION sockets; one more closes with 4429", async () => {
    const { payload } = await accountWithSession(prod);
    const sockets = [openSocket(prod.wsUrl, payload.accessToken), openSocket(prod.wsUrl, payload.accessToken)];
    await Promise.all(sockets.map((socket) => socket.connected));
    const third = openSocket(prod.wsUrl, payload.accessToken);
    expect((await third.closed).code).toBe(4429);
    await third.closed;
    const open = prod.app.subscriptions.sockets;
    await sockets[0]!.dispose();
    await before(
      (async () => {
        while (prod.app.subscriptions.sockets > open - 1) await new Promise((resolve) => setTimeout(resolve, 5));
      })(),
      5_000,
      "first socket gone",
    );
    const again = openSocket(prod.wsUrl, payload.accessToken);
    await again.connected;
    await Promise.all([again.dispose(), sockets[1]!.dispose()]);
  });
});

test("shutdown closes open sockets with 1001 (going away)", async () => {
  const api = await startTestApi({}, prod.databaseUrl);
  let closedByShutdown = false;
  try {
    const { payload } = await accountWithSession(api);
    const socket = openSocket(api.wsUrl, payload.accessToken);
    await socket.connected;
    const sub = socket.subscribe(SESSION_ENDED);
    await api.close();
    closedByShutdown = true;
    expect((await socket.closed).code).toBe(1001);
    expect(sub.results).toEqual([]);
  } finally {
    if (!closedByShutdown) await api.close();
  }
});
