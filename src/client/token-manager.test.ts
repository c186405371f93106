import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { fakePair } from "../../test/support/fake-browser.js";
import { SessionEndedError, type SignedOut } from "./auth-errors.js";
import { noTabSync } from "./tab-sync.js";
import { createTokenManager, type RenewTokens, type TokenManager } from "./token-manager.js";
import type { TokenPair } from "./token-storage.js";

/** @see issue 14 — the client kit's token manager, with a fake clock. */

/** A renewToken double that answers only when the test says so, counting calls. */
function controlledRenew() {
  const calls: string[] = [];
  const pending: Array<{ resolve: (pair: TokenPair) => void; reject: (error: unknown) => void }> = [];
  const renew: RenewTokens = (refreshToken) => {
    calls.push(refreshToken);
    return new Promise((resolve, reject) => pending.push({ resolve, reject }));
  };
  return { renew, calls, answer: (pair: TokenPair) => pending.shift()!.resolve(pair), fail: (error: unknown) => pending.shift()!.reject(error) };
}

const expired = [{ message: "Access token expired; renew it", extensions: { code: "UNAUTHENTICATED", reason: "TOKEN_EXPIRED" } }];
const replaced = [{ message: "This session has ended", extensions: { code: "UNAUTHENTICATED", reason: "SESSION_ENDED", sessionStatus: "REPLACED" } }];

let manager: TokenManager;
beforeEach(() => {
  vi.useFakeTimers({ now: new Date("2026-12-01T12:00:00Z") });
});
afterEach(() => {
  manager?.dispose();
  vi.useRealTimers();
});

describe("renewal", () => {
  test("renew() is single-flight: concurrent callers share one renewToken call and its result", async () => {
    const api = controlledRenew();
    manager = createTokenManager({ renew: api.renew, tabs: noTabSync() });
    await manager.setTokens(fakePair(1));
    const results = [manager.renew(), manager.renew(), manager.renew()];
    await vi.advanceTimersByTimeAsync(0);
    expect(api.calls).toEqual(["refresh-1"]);
    const next = fakePair(2);
    api.answer(next);
    expect(await Promise.all(results)).toEqual([next.accessToken, next.accessToken, next.accessToken]);
  });

  test("many requests failing with TOKEN_EXPIRED renew once; a request sent with an older token just retries", async () => {
    const api = controlledRenew();
    manager = createTokenManager({ renew: api.renew, tabs: noTabSync() });
    const first = fakePair(1);
    await manager.setTokens(first);
    const recovered = Array.from({ length: 5 }, () => manager.recover(expired, first.accessToken));
    await vi.advanceTimersByTimeAsync(0);
    const next = fakePair(2);
    api.answer(next);
    expect(new Set(await Promise.all(recovered))).toEqual(new Set([next.accessToken]));
    expect(await manager.recover(expired, first.accessToken)).toBe(next.accessToken);
    expect(api.calls).toEqual(["refresh-1"]);
  });

  test("renews ahead of expiry on its own: a minute early for 15-minute tokens, a quarter early for short ones", async () => {
    const api = controlledRenew();
    manager = createTokenManager({ renew: api.renew, tabs: noTabSync() });
    await manager.setTokens(fakePair(1, 900));
    await vi.advanceTimersByTimeAsync(839_000);
    expect(api.calls).toEqual([]);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(api.calls).toEqual(["refresh-1"]);
    api.answer(fakePair(2, 10));
    await vi.advanceTimersByTimeAsync(7_499);
    expect(api.calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(api.calls).toEqual(["refresh-1", "refresh-2"]);
  });

  test("getAccessToken() renews first when the token is due (a tab whose timers were throttled)", async () => {
    const api = controlledRenew();
    manager = createTokenManager({ renew: api.renew, tabs: noTabSync(), renewAheadSeconds: 60 });
    await manager.setTokens(fakePair(1, 900));
    vi.setSystemTime(Date.now() + 850_000); // the clock moved but no timer fired
    const token = manager.getAccessToken();
    await vi.advanceTimersByTimeAsync(0);
    const next = fakePair(2);
    api.answer(next);
    expect(await token).toBe(next.accessToken);
    expect(api.calls).toEqual(["refresh-1"]);
  });

  test("a renewal that fails for a passing reason keeps the tokens and is tried again later", async () => {
    const api = controlledRenew();
    manager = createTokenManager({ renew: api.renew, tabs: noTabSync(), retryDelaySeconds: 5 });
    const first = fakePair(1, 900);
    await manager.setTokens(first);
    await vi.advanceTimersByTimeAsync(840_000);
    api.fail(new TypeError("Failed to fetch"));
    await vi.advanceTimersByTimeAsync(0);
    expect(manager.isSignedIn()).toBe(true);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(api.calls).toEqual(["refresh-1", "refresh-1"]);
    const next = fakePair(2);
    api.answer(next);
    expect(await manager.getAccessToken()).toBe(next.accessToken);
  });
});

describe("signing out", () => {
  test("a refused renewal clears the tokens and emits one signedOut with the API's reason", async () => {
    const api = controlledRenew();
    manager = createTokenManager({ renew: api.renew, tabs: noTabSync() });
    const events: SignedOut[] = [];
    manager.on("signedOut", (event) => events.push(event));
    await manager.setTokens(fakePair(1));
    vi.setSystemTime(Date.now() + 900_000);
    const results = [manager.renew(), manager.getAccessToken(), manager.renew()];
    await vi.advanceTimersByTimeAsync(0);
    api.fail(new SessionEndedError({ reason: "REFRESH_TOKEN_REUSED", sessionStatus: null }));
    expect(await Promise.all(results)).toEqual([null, null, null]);
    expect(manager.isSignedIn()).toBe(false);
    expect(await manager.getAccessToken()).toBeNull();
    expect(events).toEqual([{ reason: "REFRESH_TOKEN_REUSED", sessionStatus: null }]);
  });

  test("SESSION_ENDED on several requests at once emits signedOut once, with the session status", async () => {
    const api = controlledRenew();
    manager = createTokenManager({ renew: api.renew, tabs: noTabSync() });
    const events: SignedOut[] = [];
    manager.on("signedOut", (event) => events.push(event));
    const pair = fakePair(1);
    await manager.setTokens(pair);
    expect(await Promise.all([manager.recover(replaced, pair.accessToken), manager.recover(replaced, pair.accessToken)])).toEqual([null, null]);
    expect(events).toEqual([{ reason: "SESSION_ENDED", sessionStatus: "REPLACED" }]);
    expect(api.calls).toEqual([]);
  });

  test("a late SESSION_ENDED for the previous session does not sign out the new one", async () => {
    manager = createTokenManager({ renew: controlledRenew().renew, tabs: noTabSync() });
    const old = fakePair(1);
    await manager.setTokens(old);
    await manager.setTokens(fakePair(2));
    expect(await manager.recover(replaced, old.accessToken)).toBeNull();
    expect(manager.isSignedIn()).toBe(true);
  });

  test("errors that are not about the session (a wrong password) change nothing", async () => {
    manager = createTokenManager({ renew: controlledRenew().renew, tabs: noTabSync() });
    const pair = fakePair(1);
    await manager.setTokens(pair);
    const wrongPassword = [{ message: "Wrong password", extensions: { code: "BAD_USER_INPUT", reason: "WRONG_PASSWORD", field: "currentPassword" } }];
    expect(await manager.recover(wrongPassword, pair.accessToken)).toBeNull();
    expect(manager.isSignedIn()).toBe(true);
  });
});
