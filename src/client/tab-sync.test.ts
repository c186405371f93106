import { afterEach, beforeEach, expect, test, vi } from "vitest";
import { createFakeBrowser, fakePair } from "../../test/support/fake-browser.js";
import { SessionEndedError, type SignedOut } from "./auth-errors.js";
import { type BroadcastChannelLike, type LockManagerLike, tabSync } from "./tab-sync.js";
import { createTokenManager, type TokenManager } from "./token-manager.js";
import { type StoredTokens, type TokenPair, type TokenStorage, webStorage } from "./token-storage.js";

/** @see issue 14 — tokens shared across tabs (BroadcastChannel + Web Locks doubles), with a fake clock. */

let tabs: TokenManager[] = [];
beforeEach(() => {
  vi.useFakeTimers({ now: new Date("2026-12-01T12:00:00Z") });
});
afterEach(() => {
  for (const tab of tabs) tab.dispose();
  tabs = [];
  vi.useRealTimers();
});

/** A fake API whose renewToken answers after `latencyMs` of fake time with the next numbered pair. */
function fakeApi(latencyMs = 50) {
  const calls: string[] = [];
  let issued = 1;
  return {
    calls,
    renew: async (refreshToken: string): Promise<TokenPair> => {
      calls.push(refreshToken);
      await new Promise((resolve) => setTimeout(resolve, latencyMs));
      issued += 1;
      return fakePair(issued);
    },
  };
}

function openTabs(count: number, browser = createFakeBrowser(), api = fakeApi(), storage?: () => ReturnType<typeof webStorage>) {
  for (let i = 0; i < count; i += 1) {
    const tab = createTokenManager({
      renew: api.renew,
      tabs: tabSync({ channel: browser.channel(), locks: browser.locks }),
      ...(storage ? { storage: storage() } : {}),
    });
    tabs.push(tab);
  }
  return { browser, api };
}

test("a sign-in in one tab signs in the others", async () => {
  openTabs(3);
  const pair = fakePair(1);
  await tabs[0]!.setTokens(pair);
  await vi.advanceTimersByTimeAsync(0);
  expect(await Promise.all(tabs.map((tab) => tab.getAccessToken()))).toEqual([pair.accessToken, pair.accessToken, pair.accessToken]);
});

test("a tab opened later gets the pair from an open tab (memory storage)", async () => {
  const { browser, api } = openTabs(1);
  const pair = fakePair(1);
  await tabs[0]!.setTokens(pair);
  openTabs(1, browser, api);
  await vi.advanceTimersByTimeAsync(0);
  expect(await tabs[1]!.getAccessToken()).toBe(pair.accessToken);
});

test("tabs due at the same moment renew once: one renewToken call, every tab ends with the new pair", async () => {
  const { api } = openTabs(3);
  await tabs[0]!.setTokens(fakePair(1, 900));
  await vi.advanceTimersByTimeAsync(0);
  // every tab's timer fires at the same instant, 60 s before expiry
  await vi.advanceTimersByTimeAsync(840_000);
  await vi.advanceTimersByTimeAsync(100);
  expect(api.calls).toEqual(["refresh-1"]);
  const tokens = await Promise.all(tabs.map((tab) => tab.getAccessToken()));
  expect(new Set(tokens).size).toBe(1);
  expect(tokens[0]).not.toBe(fakePair(1).accessToken);
});

test("TOKEN_EXPIRED in two tabs at once: one renewal, both retry with the new token", async () => {
  const { api } = openTabs(2);
  const pair = fakePair(1, 900);
  await tabs[0]!.setTokens(pair);
  await vi.advanceTimersByTimeAsync(0);
  const expired = [{ message: "expired", extensions: { code: "UNAUTHENTICATED", reason: "TOKEN_EXPIRED" } }];
  const retries = tabs.map((tab) => tab.recover(expired, pair.accessToken));
  await vi.advanceTimersByTimeAsync(200);
  const [a, b] = await Promise.all(retries);
  expect(a).toBe(b);
  expect(a).not.toBe(pair.accessToken);
  expect(api.calls).toEqual(["refresh-1"]);
});

test("tabs sharing localStorage-like storage never present a rotated refresh token", async () => {
  const items = new Map<string, string>();
  const storage = () => webStorage({ getItem: (k) => items.get(k) ?? null, setItem: (k, v) => void items.set(k, v), removeItem: (k) => void items.delete(k) });
  const { api } = openTabs(2, createFakeBrowser(), fakeApi(), storage);
  await tabs[0]!.setTokens(fakePair(1, 900));
  await vi.advanceTimersByTimeAsync(0);
  await Promise.all([tabs[0]!.renew(), tabs[1]!.renew(), vi.advanceTimersByTimeAsync(200)]);
  await Promise.all([tabs[1]!.renew(), tabs[0]!.renew(), vi.advanceTimersByTimeAsync(200)]);
  // each renewal presented the newest token: no reuse
  expect(api.calls).toEqual(["refresh-1", "refresh-2"]);
});

test("a session that ends in one tab signs every tab out, each emitting signedOut once with the reason", async () => {
  const browser = createFakeBrowser();
  const events: SignedOut[][] = [[], [], []];
  const refused = async (): Promise<TokenPair> => {
    throw new SessionEndedError({ reason: "SESSION_ENDED", sessionStatus: "REPLACED" });
  };
  for (const list of events) {
    const tab = createTokenManager({ renew: refused, tabs: tabSync({ channel: browser.channel(), locks: browser.locks }) });
    tab.on("signedOut", (event) => list.push(event));
    tabs.push(tab);
  }
  await tabs[0]!.setTokens(fakePair(1));
  await vi.advanceTimersByTimeAsync(0);
  await tabs[2]!.renew();
  await vi.advanceTimersByTimeAsync(0);
  expect(tabs.map((tab) => tab.isSignedIn())).toEqual([false, false, false]);
  expect(events).toEqual([1, 2, 3].map(() => [{ reason: "SESSION_ENDED", sessionStatus: "REPLACED" }]));
});

test("signOut() in one tab signs out all tabs with reason SIGNED_OUT", async () => {
  openTabs(2);
  const events: SignedOut[] = [];
  tabs[1]!.on("signedOut", (event) => events.push(event));
  await tabs[0]!.setTokens(fakePair(1));
  await vi.advanceTimersByTimeAsync(0);
  await tabs[0]!.signOut();
  await vi.advanceTimersByTimeAsync(0);
  expect(tabs[1]!.isSignedIn()).toBe(false);
  expect(events).toEqual([{ reason: "SIGNED_OUT", sessionStatus: "LOGGED_OUT" }]);
});

test("a late message with an older pair, or one sent before a sign-out, never brings that pair back", async () => {
  const { browser } = openTabs(2);
  const seen: StoredTokens[] = [];
  tabs[1]!.on("tokens", (tokens) => tokens && seen.push(tokens));
  await tabs[0]!.setTokens(fakePair(1));
  await vi.advanceTimersByTimeAsync(1_000);
  await Promise.all([tabs[0]!.renew(), vi.advanceTimersByTimeAsync(100)]);
  const [first, second] = seen;
  expect(second?.refreshToken).not.toBe(first?.refreshToken);
  const late = browser.channel();
  late.postMessage({ type: "tokens", tokens: first });
  await vi.advanceTimersByTimeAsync(0);
  expect(await tabs[1]!.getAccessToken()).toBe(second!.accessToken);

  await tabs[1]!.signOut();
  await vi.advanceTimersByTimeAsync(0);
  late.postMessage({ type: "tokens", tokens: second });
  await vi.advanceTimersByTimeAsync(0);
  expect(tabs.map((tab) => tab.isSignedIn())).toEqual([false, false]);
  late.close();
});

/**
 * A browser as Chromium behaves under load: each tab reads localStorage from its own copy, updated `lagMs`
 * after another tab writes, and BroadcastChannel messages arrive `lagMs` late, after any lock grant; only
 * the lock manager (with `query()`) is one state for every tab.
 */
function laggyBrowser(lagMs: number) {
  const copies: Array<Map<string, string>> = [];
  const channels = new Set<{ deliver(data: unknown): void }>();
  const fake = createFakeBrowser();
  const held = new Map<string, number>();
  const count = (name: string, by: number) => held.set(name, (held.get(name) ?? 0) + by);
  const locks: LockManagerLike = {
    request: (name, callback) =>
      fake.locks.request(name, async () => {
        count(name, 1);
        try {
          return await callback();
        } finally {
          count(name, -1);
        }
      }),
    query: async () => ({ held: [...held].flatMap(([name, n]) => (n > 0 ? [{ name }] : [])) }),
  };
  function storage(): TokenStorage {
    const mine = new Map<string, string>();
    copies.push(mine);
    const write = (key: string, value: string | null) => {
      for (const copy of copies) {
        const apply = () => (value === null ? copy.delete(key) : copy.set(key, value));
        if (copy === mine) apply();
        else setTimeout(apply, lagMs);
      }
    };
    return webStorage({ getItem: (key) => mine.get(key) ?? null, setItem: write, removeItem: (key) => write(key, null) });
  }
  function channel(): BroadcastChannelLike {
    const listeners = new Set<(event: { data: unknown }) => void>();
    const self = {
      deliver(data: unknown) {
        for (const listener of listeners) listener({ data });
      },
    };
    channels.add(self);
    return {
      postMessage(message) {
        const data = structuredClone(message);
        for (const peer of channels) if (peer !== self) setTimeout(() => peer.deliver(data), lagMs);
      },
      addEventListener: (_type, listener) => void listeners.add(listener),
      removeEventListener: (_type, listener) => void listeners.delete(listener),
      close: () => void channels.delete(self),
    };
  }
  return { storage, channel, locks };
}

test("a tab that gets the lock before another tab's new pair reaches it (stale storage, late message) waits for it instead of presenting the spent token", async () => {
  const browser = laggyBrowser(1_000);
  const api = fakeApi(50);
  for (let i = 0; i < 2; i += 1) {
    tabs.push(createTokenManager({ renew: api.renew, storage: browser.storage(), tabs: tabSync({ channel: browser.channel(), locks: browser.locks }) }));
  }
  await tabs[0]!.setTokens(fakePair(1, 900));
  await vi.advanceTimersByTimeAsync(2_000);
  const first = await tabs[0]!.getAccessToken();
  expect(await tabs[1]!.getAccessToken()).toBe(first);

  // both timers fire at once: tab 0 renews; tab 1 gets the lock 50 ms later, when its storage and messages
  // still show the pair tab 0 just rotated
  await vi.advanceTimersByTimeAsync(840_000);
  await vi.advanceTimersByTimeAsync(2_000);
  expect(api.calls).toEqual(["refresh-1"]);
  const [a, b] = await Promise.all(tabs.map((tab) => tab.getAccessToken()));
  expect(b).toBe(a);
  expect(a).not.toBe(first);
  expect(tabs.map((tab) => tab.isSignedIn())).toEqual([true, true]);

  // and the next round too
  await vi.advanceTimersByTimeAsync(840_000);
  await vi.advanceTimersByTimeAsync(2_000);
  expect(api.calls).toEqual(["refresh-1", "refresh-2"]);
});

test("after a renewal failed for a passing reason, only the tab that presented the token presents it again", async () => {
  const browser = laggyBrowser(1_000);
  const api = fakeApi(50);
  const presentedBy: number[] = [];
  let failures = 1;
  for (let i = 0; i < 2; i += 1) {
    const renew = async (refreshToken: string) => {
      presentedBy.push(i);
      if (failures-- > 0) throw new TypeError("Failed to fetch");
      return api.renew(refreshToken);
    };
    tabs.push(createTokenManager({ renew, storage: browser.storage(), tabs: tabSync({ channel: browser.channel(), locks: browser.locks }) }));
  }
  await tabs[0]!.setTokens(fakePair(1, 900));
  await vi.advanceTimersByTimeAsync(2_000);
  await vi.advanceTimersByTimeAsync(840_000);
  await vi.advanceTimersByTimeAsync(15_000);
  expect(presentedBy).toEqual([0, 0]);
  const [a, b] = await Promise.all(tabs.map((tab) => tab.getAccessToken()));
  expect(b).toBe(a);
  expect(api.calls).toEqual(["refresh-1"]);
});
