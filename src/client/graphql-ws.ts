import { print } from "graphql";
import { SessionEndedDocument, type SessionEndedSubscription } from "./generated/graphql.js";
import type { TokenManager } from "./token-manager.js";

/**
 * graphql-ws `connectionParams` built on the manager: each (re)connection sends a fresh access token, renewed
 * first when due. Use: `createClient({ url, connectionParams: wsConnectionParams(tokens) })`.
 */
export function wsConnectionParams(manager: TokenManager): () => Promise<Record<string, string>> {
  return async () => {
    const token = await manager.getAccessToken();
    const params: Record<string, string> = {};
    if (token) params.authorization = `Bearer ${token}`;
    return params;
  };
}

/** The subset of a graphql-ws Client the kit uses. */
export interface SubscribingClient {
  subscribe(payload: { query: string }, sink: { next(value: { data?: unknown }): void; error(error: unknown): void; complete(): void }): () => void;
}

const SESSION_ENDED_SUBSCRIPTION = print(SessionEndedDocument);

/**
 * Keeps a `sessionEnded` subscription open while the manager is signed in, and signs the manager out the
 * moment the API reports that this session ended (another device's login replaced it, the user revoked it
 * elsewhere, an administrator disabled the account): the app learns it at once, not on its next request.
 * The API closes a socket with 4401 when its access token expires, which graphql-ws treats as final: the
 * watch then subscribes again, and `wsConnectionParams` sends the renewed token. Returns a stop function.
 */
export function watchSessionEnded(client: SubscribingClient, manager: TokenManager, options: { retryDelayMs?: number } = {}): () => void {
  const retryDelayMs = options.retryDelayMs ?? 1_000;
  let active: (() => void) | null = null;
  let retry: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;

  const resubscribeLater = () => {
    active = null;
    clearTimeout(retry);
    if (!stopped && manager.isSignedIn()) retry = setTimeout(start, retryDelayMs);
  };
  function start(): void {
    if (stopped || active || !manager.isSignedIn()) return;
    active = client.subscribe(
      { query: SESSION_ENDED_SUBSCRIPTION },
      {
        next(value) {
          const status = (value.data as SessionEndedSubscription | null | undefined)?.sessionEnded.status;
          if (status) void manager.signOut({ reason: "SESSION_ENDED", sessionStatus: status });
        },
        // an expired token's 4401 or a dropped network: requests still find out meanwhile, with their reason
        error: resubscribeLater,
        complete: resubscribeLater,
      },
    );
  }

  const unsubscribeTokens = manager.on("tokens", (tokens) => {
    if (tokens) start();
    else {
      active?.();
      active = null;
    }
  });
  start();
  return () => {
    stopped = true;
    clearTimeout(retry);
    unsubscribeTokens();
    active?.();
  };
}
