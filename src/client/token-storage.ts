/** The tokens of one session, as AuthPayload and renewToken return them. */
export interface TokenPair {
  accessToken: string;
  accessTokenExpiresAt: string;
  refreshToken: string;
  refreshTokenExpiresAt: string;
}

/** A pair with the local clock times the manager computed for it when it arrived. */
export interface StoredTokens extends TokenPair {
  /** Local epoch ms when this pair arrived; tabs share one clock, so the newest pair is the largest. */
  receivedAt: number;
  /** Local epoch ms after which the access token is renewed before use. */
  renewAt: number;
  /** Local epoch ms at which the access token expires (by the server's lifetime, immune to clock skew). */
  expiresAt: number;
}

/**
 * Where the token manager keeps its tokens. Memory (the default) survives nothing and leaks least; a
 * `localStorage` storage keeps users signed in across reloads at the price of exposing the refresh token to
 * any script on the page. Methods may be sync or async (IndexedDB, React Native's AsyncStorage).
 */
export interface TokenStorage {
  load(): StoredTokens | null | Promise<StoredTokens | null>;
  save(tokens: StoredTokens | null): void | Promise<void>;
}

/** Keeps the tokens in this page's memory only (the default). */
export function memoryStorage(): TokenStorage {
  let tokens: StoredTokens | null = null;
  return {
    load: () => tokens,
    save: (next) => {
      tokens = next;
    },
  };
}

/** The subset of the Web Storage API the kit uses (window.localStorage or sessionStorage). */
export interface WebStorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** Keeps the tokens in a Web Storage object under `key`, e.g. `webStorage(localStorage)`. */
export function webStorage(storage: WebStorageLike, key = "graphql-auth-api.tokens"): TokenStorage {
  return {
    load() {
      const text = storage.getItem(key);
      if (!text) return null;
      try {
        return JSON.parse(text) as StoredTokens;
      } catch {
        return null;
      }
    },
    save(tokens) {
      if (tokens) storage.setItem(key, JSON.stringify(tokens));
      else storage.removeItem(key);
    },
  };
}
