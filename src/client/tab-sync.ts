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
  return {
    withLock: (task) => (locks ? locks.request(`${name}:renew`, task) : task()),
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
    },
  };
}

/** A TabSync for a manager that shares nothing (one tab, a worker, a Node process). */
export function noTabSync(): TabSync {
  return tabSync({ channel: null, locks: null });
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
