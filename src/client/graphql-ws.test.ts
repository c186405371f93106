import { afterEach, beforeEach, expect, test, vi } from "vitest";
import { fakePair } from "../../test/support/fake-browser.js";
import type { SignedOut } from "./auth-errors.js";
import { watchSessionEnded, wsConnectionParams, type SubscribingClient } from "./graphql-ws.js";
import { noTabSync } from "./tab-sync.js";
import { createTokenManager, type TokenManager } from "./token-manager.js";

/** @see issue 14 — the graphql-ws helpers, against a fake graphql-ws client and a fake clock. */

type Sink = Parameters<SubscribingClient["subscribe"]>[1];

/** Records subscriptions; the test plays the server through their sinks. */
function fakeSocketClient() {
  const open: Array<{ sink: Sink; closed: boolean }> = [];
  const client: SubscribingClient = {
    subscribe(_payload, sink) {
      // a subscription ends when the server errors or completes it, as in graphql-ws
      const entry: { sink: Sink; closed: boolean } = {
        closed: false,
        sink: {
          next: (value) => sink.next(value),
          error: (error) => ((entry.closed = true), sink.error(error)),
          complete: () => ((entry.closed = true), sink.complete()),
        },
      };
      open.push(entry);
      return () => void (entry.closed = true);
    },
  };
  return { client, open, live: () => open.filter((entry) => !entry.closed) };
}

let manager: TokenManager;
beforeEach(() => {
  vi.useFakeTimers();
  manager = createTokenManager({ renew: async () => fakePair(2), tabs: noTabSync() });
});
afterEach(() => {
  manager.dispose();
  vi.useRealTimers();
});

test("connectionParams send the current access token, none when signed out", async () => {
  const params = wsConnectionParams(manager);
  expect(await params()).toEqual({});
  const pair = fakePair(1);
  await manager.setTokens(pair);
  expect(await params()).toEqual({ authorization: `Bearer ${pair.accessToken}` });
});

test("watchSessionEnded subscribes while signed in and signs out with the session's final status", async () => {
  const sockets = fakeSocketClient();
  const stop = watchSessionEnded(sockets.client, manager);
  expect(sockets.open).toHaveLength(0);
  await manager.setTokens(fakePair(1));
  expect(sockets.live()).toHaveLength(1);
  const events: SignedOut[] = [];
  manager.on("signedOut", (event) => events.push(event));
  sockets.live()[0]!.sink.next({ data: { sessionEnded: { id: "s1", status: "REPLACED" } } });
  await vi.advanceTimersByTimeAsync(0);
  expect(events).toEqual([{ reason: "SESSION_ENDED", sessionStatus: "REPLACED" }]);
  expect(sockets.live()).toHaveLength(0);
  stop();
});

test("after the socket closes for an expired token (4401) the watch subscribes again", async () => {
  const sockets = fakeSocketClient();
  const stop = watchSessionEnded(sockets.client, manager, { retryDelayMs: 1_000 });
  await manager.setTokens(fakePair(1));
  sockets.open[0]!.sink.error({ code: 4401, reason: "Access token expired" });
  await vi.advanceTimersByTimeAsync(1_000);
  expect(sockets.open).toHaveLength(2);
  expect(sockets.live()).toHaveLength(1);
  stop();
  expect(sockets.live()).toHaveLength(0);
});
