/**
 * Live sessions over WebSocket across two instances on one database: a socket on B closes (4401, after its
 * `sessionEnded` event) when its session is ended through A, by every path that ends a session.
 * @see issue 12
 */
import { createClient } from "graphql-ws";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import WebSocket from "ws";
import { createAccessTokenKey, signAccessToken } from "../../src/auth/access-tokens.js";
import {
  ChangePasswordDocument,
  DeleteUserDocument,
  DisableUserDocument,
  LogoutDocument,
  RenewTokenDocument,
  RevokeAllSessionsDocument,
  RevokeSessionDocument,
} from "../generated/graphql.js";
import { startTestApi, TEST_JWT_SECRET, type TestApi } from "../support/api.js";
import { accountWithSession, createAccount, logInOk } from "../support/accounts.js";
import { before, openSocket, SESSION_ENDED, type TestSocket } from "../support/sockets.js";

// the contract: closed within 1 s of the end; a timer that fires first fails the test
const CLOSE_BOUND_MS = 1_000;

let a: TestApi;
let b: TestApi;
let admin: Awaited<ReturnType<typeof accountWithSession>>;
beforeAll(async () => {
  // A keeps the default single-session policy (a new login there REPLACES the old session); B allows many,
  // so tests can hold two sessions of one user
  a = await startTestApi({ REFRESH_REUSE_GRACE: "0" });
  b = await startTestApi({ SESSION_LIMIT: "0" }, a.databaseUrl);
  admin = await accountWithSession(b, { roles: ["ADMIN"], prefix: "admin" });
});
afterAll(async () => {
  await b?.close();
  await a?.close();
});

/** Waits until B runs `count` operations: the subscription is in place before anything ends it. */
async function operationsRunning(api: TestApi, count: number): Promise<void> {
  await before(
    (async () => {
      while (api.app.subscriptions.operations < count) await new Promise((resolve) => setTimeout(resolve, 5));
    })(),
    5_000,
    "subscription registered",
  );
}

/** A user with two sessions on B (the first one watched over a socket on B). */
async function watchedSession() {
  const { creds, user } = await createAccount(b);
  const watched = await logInOk(b, creds, "watched-device");
  const other = await logInOk(b, creds, "other-device");
  const socket = openSocket(b.wsUrl, watched.accessToken);
  await socket.connected;
  const before_ = b.app.subscriptions.operations;
  const sub = socket.subscribe(SESSION_ENDED);
  await operationsRunning(b, before_ + 1);
  return { creds, user, watched, other, socket, sub };
}

/** The socket gets `sessionEnded` with `status`, then closes 4401, within the bound. */
async function expectEnded(socket: TestSocket, sub: ReturnType<TestSocket["subscribe"]>, sessionId: string, status: string) {
  const close = await before(socket.closed, CLOSE_BOUND_MS, "socket closed");
  expect(close.code).toBe(4401);
  expect(sub.results).toEqual([{ data: { sessionEnded: { id: sessionId, status } } }]);
}

describe("sessionEnded on B when the session ends through A", () => {
  test("logout → LOGGED_OUT", async () => {
    const { watched, socket, sub } = await watchedSession();
    expect((await a.graphql(LogoutDocument, {}, { token: watched.accessToken })).status).toBe(200);
    await expectEnded(socket, sub, watched.session.id, "LOGGED_OUT");
  });

  test("revokeSession from another device → REVOKED", async () => {
    const { watched, other, socket, sub } = await watchedSession();
    expect((await a.graphql(RevokeSessionDocument, { sessionId: watched.session.id }, { token: other.accessToken })).status).toBe(200);
    await expectEnded(socket, sub, watched.session.id, "REVOKED");
  });

  test("revokeAllSessions from another device → REVOKED", async () => {
    const { watched, other, socket, sub } = await watchedSession();
    const res = await a.graphql(RevokeAllSessionsDocument, {}, { token: other.accessToken });
    expect(res.data?.revokeAllSessions).toBe(1);
    await expectEnded(socket, sub, watched.session.id, "REVOKED");
  });

  test("a login elsewhere under the single-session policy → REPLACED", async () => {
    const { creds, watched, socket, sub } = await watchedSession();
    await logInOk(a, creds, "newest-device");
    await expectEnded(socket, sub, watched.session.id, "REPLACED");
  });

  test("changePassword on another device → REVOKED", async () => {
    const { creds, watched, other, socket, sub } = await watchedSession();
    const res = await a.graphql(
      ChangePasswordDocument,
      { currentPassword: creds.password, newPassword: `${creds.password} changed` },
      { token: other.accessToken },
    );
    expect(res.data?.changePassword).toBe(true);
    await expectEnded(socket, sub, watched.session.id, "REVOKED");
  });

  test("disableUser by an administrator → REVOKED", async () => {
    const { user, watched, socket, sub } = await watchedSession();
    expect((await a.graphql(DisableUserDocument, { id: user.id }, { token: admin.payload.accessToken })).status).toBe(200);
    await expectEnded(socket, sub, watched.session.id, "REVOKED");
  });

  test("deleteUser by an administrator → REVOKED", async () => {
    const { user, watched, socket, sub } = await watchedSession();
    expect((await a.graphql(DeleteUserDocument, { id: user.id }, { token: admin.payload.accessToken })).status).toBe(200);
    await expectEnded(socket, sub, watched.session.id, "REVOKED");
  });

  test("refresh-token reuse → REVOKED", async () => {
    const { watched, socket, sub } = await watchedSession();
    const renewed = await a.graphql(RenewTokenDocument, { refreshToken: watched.refreshToken });
    expect(renewed.status).toBe(200);
    // A has no grace window: presenting the rotated token again is reuse
    expect((await a.graphql(RenewTokenDocument, { refreshToken: watched.refreshToken })).status).toBe(401);
    await expectEnded(socket, sub, watched.session.id, "REVOKED");
  });

  test("an end written outside the API (the operator's SQL, the CLI) → its status", async () => {
    const { watched, socket, sub } = await watchedSession();
    await a.store.endSession(watched.session.id, "REVOKED", new Date());
    await expectEnded(socket, sub, watched.session.id, "REVOKED");
  });

  test("every socket of the session closes, and other sessions' sockets stay open", async () => {
    const { watched, other, socket, sub } = await watchedSession();
    const second = openSocket(b.wsUrl, watched.accessToken);
    const bystander = openSocket(b.wsUrl, other.accessToken);
    await Promise.all([second.connected, bystander.connected]);
    const running = b.app.subscriptions.operations;
    const still = bystander.subscribe(SESSION_ENDED);
    await operationsRunning(b, running + 1);
    await a.graphql(LogoutDocument, {}, { token: watched.accessToken });
    await expectEnded(socket, sub, watched.session.id, "LOGGED_OUT");
    expect((await before(second.closed, CLOSE_BOUND_MS, "second socket closed")).code).toBe(4401);
    expect(still.results).toEqual([]);
    await a.graphql(LogoutDocument, {}, { token: other.accessToken });
    expect((await before(bystander.closed, CLOSE_BOUND_MS, "bystander closed")).code).toBe(4401);
    expect(still.results[0]?.data).toEqual({ sessionEnded: { id: other.session.id, status: "LOGGED_OUT" } });
  });
});

describe("connection_init", () => {
  test("an invalid token closes with 4403", async () => {
    const socket = openSocket(b.wsUrl, "not-a-jwt");
    expect((await socket.closed).code).toBe(4403);
  });

  test("the token of an ended session closes with 4403", async () => {
    const { payload } = await accountWithSession(b);
    await b.graphql(LogoutDocument, {}, { token: payload.accessToken });
    expect((await openSocket(b.wsUrl, payload.accessToken).closed).code).toBe(4403);
  });

  test("no token makes an anonymous socket, on which sessionEnded is UNAUTHENTICATED", async () => {
    const socket = openSocket(b.wsUrl);
    await socket.connected;
    const sub = socket.subscribe(SESSION_ENDED);
    const first = await sub.first;
    expect(first.errors?.[0]?.extensions).toMatchObject({ code: "UNAUTHENTICATED", reason: "TOKEN_MISSING" });
    await socket.dispose();
  });

  test("the access token's expiry closes with 4401 and no sessionEnded event", async () => {
    const { user, payload } = await accountWithSession(b);
    const shortLived = signAccessToken(
      { key: createAccessTokenKey(TEST_JWT_SECRET), issuer: b.config.jwt.issuer, audience: b.config.jwt.audience, ttlSeconds: 1 },
      { userId: user.id, sessionId: payload.session.id },
      new Date(),
    );
    const socket = openSocket(b.wsUrl, shortLived.token);
    await socket.connected;
    const sub = socket.subscribe(SESSION_ENDED);
    const close = await before(socket.closed, 5_000, "closed at token expiry");
    expect(close.code).toBe(4401);
    expect(sub.results).toEqual([]);
    expect((await b.store.getSession(payload.session.id))?.status).toBe("ACTIVE");
  });
});

describe("expiry of the session itself", () => {
  test("an idle timeout reached while the socket is open → EXPIRED, marked in the store", async () => {
    const idle = await startTestApi({ SESSION_IDLE_TIMEOUT: "2s" }, a.databaseUrl);
    try {
      const { payload } = await accountWithSession(idle);
      const socket = openSocket(idle.wsUrl, payload.accessToken);
      await socket.connected;
      const sub = socket.subscribe(SESSION_ENDED);
      expect((await before(socket.closed, 5_000, "closed at idle timeout")).code).toBe(4401);
      expect(sub.results).toEqual([{ data: { sessionEnded: { id: payload.session.id, status: "EXPIRED" } } }]);
      expect((await idle.store.getSession(payload.session.id))?.status).toBe("EXPIRED");
    } finally {
      await idle.close();
    }
  });
});

/** The browser's CloseEvent, as much of it as the snippet reads. */
type CloseEvent = { code: number };

describe("README's client snippet", () => {
  test("shows 'You were signed out on another device' when a login elsewhere replaces the session", async () => {
    const { creds, payload } = await accountWithSession(a); // A: one session per user
    const tokens = { accessToken: payload.accessToken };
    const notices: string[] = [];
    let signedOut!: () => void;
    const signedOutLocally = new Promise<void>((resolve) => (signedOut = resolve));
    const showNotice = (text: string) => notices.push(text);
    const signOutLocally = () => signedOut();
    const renewTokens = async () => undefined;

    // from README.md, "Live sessions" (the client gets the Node `ws` implementation here)
    const client = createClient({
      url: b.wsUrl,
      webSocketImpl: WebSocket,
      connectionParams: () => ({ authorization: `Bearer ${tokens.accessToken}` }), // read at every (re)connection
    });

    function watchSession(): void {
      let ended = false;
      client.subscribe<{ sessionEnded: { id: string; status: string } }>(
        { query: "subscription { sessionEnded { id status } }" },
        {
          next: ({ data }) => {
            ended = true;
            const status = data?.sessionEnded.status;
            if (status === "REPLACED" || status === "REVOKED") showNotice("You were signed out on another device");
            else if (status === "EXPIRED") showNotice("Your session expired; please sign in again");
            signOutLocally(); // LOGGED_OUT: this session was logged out, in another tab perhaps
          },
          // 4401 without an event: only the access token expired. Renew it, then watch again.
          error: async (error) => {
            if (!ended && (error as CloseEvent).code === 4401) {
              await renewTokens();
              watchSession();
            }
          },
          complete: () => undefined,
        },
      );
    }
    // end of the README snippet
    try {
      const running = b.app.subscriptions.operations;
      watchSession();
      await operationsRunning(b, running + 1);
      await logInOk(a, creds, "second-device");
      await before(signedOutLocally, CLOSE_BOUND_MS, "signed out");
      expect(notices).toEqual(["You were signed out on another device"]);
    } finally {
      await client.dispose();
    }
  });
});
