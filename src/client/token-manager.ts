import { authActionFor, SessionEndedError, type SignedOut, type WireError } from "./auth-errors.js";
import { tabSync, type TabMessage, type TabSync } from "./tab-sync.js";
import { memoryStorage, type StoredTokens, type TokenPair, type TokenStorage } from "./token-storage.js";

/** Exchanges a refresh token for a new pair; throws SessionEndedError when the API refuses it for good. */
export type RenewTokens = (refreshToken: string) => Promise<TokenPair>;

/** Options of `createTokenManager`. */
export interface TokenManagerOptions {
  /** How to call `renewToken`: `renewWithFetch(endpoint)` for a plain POST. */
  renew: RenewTokens;
  /** Where tokens live; memory by default. */
  storage?: TokenStorage;
  /** How tabs share tokens; BroadcastChannel + Web Locks by default (`noTabSync()` to share nothing). */
  tabs?: TabSync;
  /** Renew this long before the access token expires (at most a quarter of its lifetime). Default 60. */
  renewAheadSeconds?: number;
  /** After a renewal failed for a passing reason (network, 503), try again after this long. Default 5. */
  retryDelaySeconds?: number;
}

/** The events a TokenManager emits. */
export interface TokenManagerEvents {
  /** Once per session, when it ends: the tokens are already cleared. */
  signedOut: SignedOut;
  /** A new pair (sign-in, renewal here or in another tab), or null when the tokens were cleared. */
  tokens: StoredTokens | null;
}

/** Keeps one session's tokens fresh and tells the app when the session is over. */
export interface TokenManager {
  /** Resolves once the stored tokens (if any) are loaded. */
  readonly ready: Promise<void>;
  /** True while the manager holds tokens. */
  isSignedIn(): boolean;
  /** The access token to send now, renewed first when it is due; null when signed out. */
  getAccessToken(): Promise<string | null>;
  /** Adopts the tokens of a login, signUp or completeMfaLogin payload (and shares them with other tabs). */
  setTokens(pair: TokenPair): Promise<void>;
  /** Renews now (single-flight, across tabs); resolves to the new access token, or null when signed out. */
  renew(): Promise<string | null>;
  /**
   * Handles the errors of a request sent with `usedToken`: renews when the token was expired (unless
   * another request already did) and resolves to the token to retry with; on a session that ended, signs
   * out and resolves to null. Null as well for errors that are not about the session.
   */
  recover(errors: readonly WireError[] | null | undefined, usedToken: string | null): Promise<string | null>;
  /** Clears the tokens here and in every tab and emits `signedOut` (default reason SIGNED_OUT: the user's). */
  signOut(signedOut?: SignedOut): Promise<void>;
  /** Subscribes to an event; returns the unsubscribe function. */
  on<E extends keyof TokenManagerEvents>(event: E, listener: (value: TokenManagerEvents[E]) => void): () => void;
  /** Stops timers and tab messages (tests, hot reload). */
  dispose(): void;
}

const SPENT_POLL_MS = 50;
const SPENT_WAIT_MS = 5_000;

const USER_SIGNED_OUT: SignedOut = { reason: "SIGNED_OUT", sessionStatus: "LOGGED_OUT" };

/** Creates the token manager of one API endpoint. */
export function createTokenManager(options: TokenManagerOptions): TokenManager {
  const storage = options.storage ?? memoryStorage();
  const tabs = options.tabs ?? tabSync();
  const renewAheadMs = (options.renewAheadSeconds ?? 60) * 1000;
  const retryDelayMs = (options.retryDelaySeconds ?? 5) * 1000;
  const listeners: { [E in keyof TokenManagerEvents]: Set<(value: TokenManagerEvents[E]) => void> } = {
    signedOut: new Set(),
    tokens: new Set(),
  };
  let current: StoredTokens | null = null;
  // the newest pair or sign-out this tab has seen: a late message from another tab must not bring back an
  // older (already rotated, or signed-out) pair
  let newest = 0;
  let signedOutEmitted = false;
  let inFlight: Promise<string | null> | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;

  function emit<E extends keyof TokenManagerEvents>(event: E, value: TokenManagerEvents[E]): void {
    for (const listener of listeners[event]) listener(value);
  }

  function schedule(delayMs: number): void {
    clearTimeout(timer);
    if (!current) return;
    timer = setTimeout(
      () => {
        renew().catch(() => schedule(retryDelayMs));
      },
      Math.max(0, delayMs),
    );
    (timer as { unref?: () => void }).unref?.();
  }

  /** True for a pair from storage or another tab that is newer than anything this tab has seen. */
  function isNewer(tokens: StoredTokens): boolean {
    return tokens.receivedAt > newest && tokens.refreshToken !== current?.refreshToken;
  }

  async function adopt(tokens: StoredTokens, persist: boolean): Promise<void> {
    // the record of a spent token outlives the tab that spent it while any tab that saw it replaced lives
    if (current && current.refreshToken !== tokens.refreshToken) void tabs.markSpent?.(current.refreshToken);
    current = tokens;
    newest = Math.max(newest, tokens.receivedAt || 0);
    signedOutEmitted = false;
    schedule(tokens.renewAt - Date.now());
    if (persist) await storage.save(tokens);
    emit("tokens", tokens);
  }

  async function end(signedOut: SignedOut, tellOtherTabs: boolean): Promise<void> {
    const hadTokens = current !== null;
    current = null;
    newest = Math.max(newest, Date.now());
    clearTimeout(timer);
    await storage.save(null);
    if (tellOtherTabs) tabs.post({ type: "signedOut", signedOut });
    if (hadTokens) emit("tokens", null);
    // several requests can fail with SESSION_ENDED at once: the app hears of it once
    if (hadTokens && !signedOutEmitted) {
      signedOutEmitted = true;
      emit("signedOut", signedOut);
    }
  }

  function stamp(pair: TokenPair): StoredTokens {
    const now = Math.max(Date.now(), newest + 1);
    const lifetimeMs = accessTokenLifetimeMs(pair, now);
    const aheadMs = Math.min(renewAheadMs, lifetimeMs / 4);
    const { accessToken, accessTokenExpiresAt, refreshToken, refreshTokenExpiresAt } = pair;
    return {
      accessToken,
      accessTokenExpiresAt,
      refreshToken,
      refreshTokenExpiresAt,
      receivedAt: now,
      renewAt: now + lifetimeMs - aheadMs,
      expiresAt: now + lifetimeMs,
    };
  }

  async function renewOnce(): Promise<string | null> {
    const stale = current?.refreshToken;
    if (!stale) return null;
    return tabs.withLock(async () => {
      // another tab may have renewed while this one waited for the lock: its pair is the one to use
      const stored = await storage.load();
      if (stored && isNewer(stored)) await adopt(stored, false);
      if (!current) return null;
      if (current.refreshToken !== stale) return current.accessToken;
      // storage and messages can lag behind the lock; the spent-token record cannot: wait for the pair that
      // replaced `stale` (asking the other tabs for it), never present `stale` a second time
      for (let waited = 0; await tabs.spentElsewhere?.(stale); waited += SPENT_POLL_MS) {
        if (waited === 0) tabs.post({ type: "hello" });
        if (waited >= SPENT_WAIT_MS) throw new Error("Another tab renewed the tokens and they have not reached this tab yet");
        await new Promise((resolve) => setTimeout(resolve, SPENT_POLL_MS));
        const next = await storage.load();
        if (next && isNewer(next)) await adopt(next, false);
        if (!current) return null;
        if (current.refreshToken !== stale) return current.accessToken;
      }
      try {
        // recorded before it leaves, so a tab that gets the lock after this one knows, whatever happens
        await tabs.markSpent?.(stale);
        const tokens = stamp(await options.renew(stale));
        await adopt(tokens, true);
        tabs.post({ type: "tokens", tokens });
        return tokens.accessToken;
      } catch (error) {
        if (!(error instanceof SessionEndedError)) throw error;
        await end(error.signedOut, true);
        return null;
      }
    });
  }

  function renew(): Promise<string | null> {
    inFlight ??= renewOnce().finally(() => {
      inFlight = null;
    });
    return inFlight;
  }

  async function onTabMessage(message: TabMessage): Promise<void> {
    if (message.type === "tokens") {
      if (isNewer(message.tokens)) await adopt(message.tokens, true);
    } else if (message.type === "signedOut") {
      await end(message.signedOut, false);
    } else if (current) {
      tabs.post({ type: "tokens", tokens: current });
    }
  }

  const unsubscribe = tabs.subscribe((message) => void onTabMessage(message));
  const ready = (async () => {
    const stored = await storage.load();
    if (stored) await adopt(stored, false);
    else tabs.post({ type: "hello" });
  })();

  return {
    ready,
    isSignedIn: () => current !== null,
    async getAccessToken() {
      await ready;
      if (!current) return null;
      if (Date.now() < current.renewAt) return current.accessToken;
      try {
        return await renew();
      } catch (error) {
        // renewal failed for a passing reason: the old token may still have a few seconds to live
        if (current && Date.now() < current.expiresAt) return current.accessToken;
        throw error;
      }
    },
    async setTokens(pair) {
      await ready;
      const tokens = stamp(pair);
      await adopt(tokens, true);
      tabs.post({ type: "tokens", tokens });
    },
    renew,
    async recover(errors, usedToken) {
      const action = authActionFor(errors);
      if (!action) return null;
      if (action.action === "signOut") {
        // a request sent before the last sign-in must not end the new session
        if (current && usedToken === current.accessToken) await end({ reason: action.reason, sessionStatus: action.sessionStatus }, true);
        return null;
      }
      if (!current) return null;
      if (usedToken !== current.accessToken) return current.accessToken;
      return renew();
    },
    signOut: (signedOut = USER_SIGNED_OUT) => end(signedOut, true),
    on(event, listener) {
      listeners[event].add(listener);
      return () => listeners[event].delete(listener);
    },
    dispose() {
      clearTimeout(timer);
      unsubscribe();
      tabs.close();
    },
  };
}

/**
 * The access token's lifetime by the server's own clock (exp - iat), so a client clock that is minutes off
 * still renews on time; falls back to accessTokenExpiresAt against the local clock.
 */
function accessTokenLifetimeMs(pair: TokenPair, now: number): number {
  const claims = decodeJwtClaims(pair.accessToken);
  if (claims && typeof claims.exp === "number" && typeof claims.iat === "number") return (claims.exp - claims.iat) * 1000;
  return Math.max(0, Date.parse(pair.accessTokenExpiresAt) - now);
}

function decodeJwtClaims(token: string): Record<string, unknown> | null {
  const payload = token.split(".")[1];
  if (!payload) return null;
  try {
    const base64 = payload.replace(/-/g, "+").replace(/_/g, "/");
    return JSON.parse(atob(base64.padEnd(Math.ceil(base64.length / 4) * 4, "="))) as Record<string, unknown>;
  } catch {
    return null;
  }
}
