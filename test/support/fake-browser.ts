import type { BroadcastChannelLike, LockManagerLike } from "../../src/client/tab-sync.js";
import type { TokenPair } from "../../src/client/token-storage.js";

/**
 * Test doubles for the kit's unit tests: an in-process "browser" whose tabs share BroadcastChannels (messages
 * delivered as microtasks, never to the sender) and a Web Locks manager that grants one holder at a time.
 */
export function createFakeBrowser() {
  const members = new Map<string, Set<FakeChannel>>();
  const lockTails = new Map<string, Promise<unknown>>();

  class FakeChannel implements BroadcastChannelLike {
    private readonly listeners = new Set<(event: { data: unknown }) => void>();
    constructor(readonly name: string) {
      const set = members.get(name) ?? new Set();
      set.add(this);
      members.set(name, set);
    }
    postMessage(message: unknown): void {
      const data = structuredClone(message);
      for (const peer of members.get(this.name) ?? []) {
        if (peer !== this) queueMicrotask(() => peer.deliver(data));
      }
    }
    deliver(data: unknown): void {
      for (const listener of this.listeners) listener({ data });
    }
    addEventListener(_type: "message", listener: (event: { data: unknown }) => void): void {
      this.listeners.add(listener);
    }
    removeEventListener(_type: "message", listener: (event: { data: unknown }) => void): void {
      this.listeners.delete(listener);
    }
    close(): void {
      members.get(this.name)?.delete(this);
    }
  }

  const locks: LockManagerLike = {
    request<T>(name: string, callback: () => Promise<T>): Promise<T> {
      const previous = lockTails.get(name) ?? Promise.resolve();
      const run = previous.then(callback, callback);
      lockTails.set(
        name,
        run.catch(() => undefined),
      );
      return run;
    },
  };

  return { channel: (name = "graphql-auth-api") => new FakeChannel(name), locks };
}

/** A JWT-shaped token whose claims say it lives `ttlSeconds` from now (the kit reads iat/exp, never verifies). */
export function fakeAccessToken(ttlSeconds: number, id: string): string {
  const iat = Math.floor(Date.now() / 1000);
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
  return `${encode({ alg: "HS256", typ: "JWT" })}.${encode({ sub: "u1", sid: "s1", iat, exp: iat + ttlSeconds, jti: id })}.signature`;
}

/** A pair as the API would issue it, numbered so tests can tell pairs apart. */
export function fakePair(n: number, ttlSeconds = 900): TokenPair {
  return {
    accessToken: fakeAccessToken(ttlSeconds, `a${n}`),
    accessTokenExpiresAt: new Date(Date.now() + ttlSeconds * 1000).toISOString(),
    refreshToken: `refresh-${n}`,
    refreshTokenExpiresAt: new Date(Date.now() + 30 * 86_400_000).toISOString(),
  };
}
