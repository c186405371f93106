import type { SignedOut } from "./auth-errors.js";
import type { StoredTokens } from "./token-storage.js";

/** What tabs tell each other: the newest pair, a sign-out, or "I just opened: who has tokens?". */
export type TabMessage = { type: "tokens"; tokens: StoredTokens } | { type: "signedOut"; signedOut: SignedOut } | { type: "hello" };

/** How token managers in several tabs of one origin cooperate: one renews at a time, all learn the result. */
export interface TabSync {
  /** Runs `task` while no other tab runs a task under the same lock. */
  withLock<T>(task: () => Promise<T>): Promise<T>;
  /** Sends a message to every other tab (never back to this one). */
  post(message: TabMessage): void;
  /** Calls `handler` for each message from another tab; returns the unsubscribe function. */
  subscribe(handler: (message: TabMessage) => void): () => void;
  /**
   * Records, where every tab reads it consistently, that this tab presents (or learnt that another tab
   * presented) `refreshToken`; resolves once the record is visible to all tabs. Only a fingerprint is kept.
   */
  markSpent?(refreshToken: string): Promise<void>;
  /** True when another tab recorded `refreshToken` as presented: this tab must wait for its successor. */
  spentElsewhere?(refreshToken: string): Promise<boolean>;
  close(): void;
}

/** The subset of BroadcastChannel the kit uses (the browser's, or Node's in tests). */
export interface BroadcastChannelLike {
  postMessage(message: unknown): void;
  addEventListener(type: "message", listener: (event: { data: unknown }) => void): void;
  removeEventListener(type: "message", listener: (event: { data: unknown }) => void): void;
  close(): void;
}

/** The subset of the Web Locks API (`navigator.locks`) the kit uses. */
export interface LockManagerLike {
  request<T>(name: string, callback: () => Promise<T>): Promise<T>;
  /** Without it, tabs cannot tell each other which refresh tokens they spent (see `TabSync.markSpent`). */
  query?(): Promise<{ held?: { name?: string }[]; pending?: { name?: string }[] }>;
}

/** Options of `tabSync`; both default to the browser's own, when it has them. */
export interface TabSyncOptions {
  /** Names the channel and the lock: managers with the same name share tokens (one name per API). */
  name?: string;
  channel?: BroadcastChannelLike | null;
  locks?: LockManagerLike | null;
}

/**
 * Tab sharing over BroadcastChannel (messages) and the Web Locks API (one renewal at a time across tabs).
 * Where either is missing (old browsers, workers without them, Node) that half degrades to this tab alone.
 */
export function tabSync(options: TabSyncOptions = {}): TabSync {
  const name = options.name ?? "graphql-auth-api";
  const channel = options.channel === undefined ? defaultChannel(name) : options.channel;
  const locks = options.locks === undefined ? defaultLocks() : options.locks;
  const listeners = new Set<(event: { data: unknown }) => void>();
  // Chromium's localStorage is only eventually consistent across renderer processes, and BroadcastChannel
  // messages are not ordered with lock grants, so a tab that wins the renew lock can still see a pair
  // another tab just rotated. The lock manager is one state for the whole origin: a lock named after a
  // spent token's fingerprint, held while the tab lives, tells every later lock holder it was spent.
  const spentPrefix = `${name}:spent:`;
  const self = `:${Math.random().toString(36).slice(2)}`;
  const spent = new Map<string, Promise<() => void>>();
  const release = (held: Promise<() => void>) => void held.then((done) => done());
  return {
    withLock: (task) => (locks ? locks.request(`${name}:renew`, task) : task()),
    async markSpent(refreshToken) {
      if (!locks?.query) return;
      const key = fingerprint(refreshToken);
      let held = spent.get(key);
      if (!held) {
        // a name of this tab's own, so the request is granted at once and never waits for another tab
        // a refused request (a sandboxed frame) must not leave the renewal waiting for ever
        held = new Promise((granted) => {
          locks.request(`${spentPrefix}${key}${self}`, () => new Promise<void>((done) => granted(done))).catch(() => granted(() => {}));
        });
        spent.set(key, held);
        // a tab would need to miss this many rotations' messages and writes to present an older one
        for (const [old, oldHeld] of spent) {
          if (spent.size <= KEEP_SPENT) break;
          spent.delete(old);
          release(oldHeld);
        }
      }
      await held;
    },
    async spentElsewhere(refreshToken) {
      if (!locks?.query) return false;
      const { held = [], pending = [] } = await locks.query().catch(() => ({ held: [], pending: [] }));
      const prefix = `${spentPrefix}${fingerprint(refreshToken)}:`;
      return [...held, ...pending].some((lock) => lock.name?.startsWith(prefix) && !lock.name.endsWith(self));
    },
    post: (message) => channel?.postMessage(message),
    subscribe(handler) {
      const listener = (event: { data: unknown }) => {
        if (isTabMessage(event.data)) handler(event.data);
      };
      listeners.add(listener);
      channel?.addEventListener("message", listener);
      return () => {
        listeners.delete(listener);
        channel?.removeEventListener("message", listener);
      };
    },
    close() {
      for (const listener of listeners) channel?.removeEventListener("message", listener);
      listeners.clear();
      channel?.close();
      for (const held of spent.values()) release(held);
      spent.clear();
    },
  };
}

/** A TabSync for a manager that shares nothing (one tab, a worker, a Node process). */
export function noTabSync(): TabSync {
  return tabSync({ channel: null, locks: null });
}

const KEEP_SPENT = 4;

/**
 * A 64-bit FNV-1a hash in hex: enough to tell tokens apart, useless to rebuild one, and synchronous
 * (crypto.subtle exists only in secure contexts). Lock names are visible to every script of the origin.
 */
function fingerprint(token: string): string {
  let high = 0xcbf29ce4;
  let low = 0x84222325;
  for (let i = 0; i < token.length; i += 1) {
    low = (low ^ token.charCodeAt(i)) >>> 0;
    // multiply the 64-bit state by the FNV prime 2^40 + 0x1b3, in two 32-bit halves
    const lowProduct = low * 0x1b3;
    high = (Math.imul(high, 0x1b3) + Math.imul(low, 0x100) + Math.floor(lowProduct / 0x100000000)) >>> 0;
    low = lowProduct >>> 0;
  }
  return high.toString(16).padStart(8, "0") + low.toString(16).padStart(8, "0");
}

function defaultChannel(name: string): BroadcastChannelLike | null {
  const Channel = (globalThis as unknown as { BroadcastChannel?: new (name: string) => BroadcastChannelLike }).BroadcastChannel;
  return Channel ? new Channel(name) : null;
}

function defaultLocks(): LockManagerLike | null {
  const locks = (globalThis as unknown as { navigator?: { locks?: LockManagerLike } }).navigator?.locks;
  return locks ?? null;
}

function isTabMessage(data: unknown): data is TabMessage {
  const type = (data as { type?: unknown } | null)?.type;
  return type === "tokens" || type === "signedOut" || type === "hello";
}
