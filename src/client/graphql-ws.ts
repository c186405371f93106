import type { SessionStatus } from "./generated/graphql.js";
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
  subscribe(
    payload: { query: string },
    sink: { next(value: { data?: unknown }): void; error(error: unknown): void; complete(): void },
  ): () => void;
}

const SESSION_ENDED_SUBSCRIPTION = "subscription SessionEnded { sessionEnded { id status } }";

/**
 * Subscribes to `sessionEnded` and signs the manager out the moment the API reports that this session ended
 * (another device's login replaced it, the user revoked it elsewhere, an admin disabled the account): the app
 * learns it at once instead of on its next request. Returns the unsubscribe function.
 */
export function watchSessionEnded(client: SubscribingClient, manager: TokenManager): () => void {
  return client.subscribe(
    { query: SESSION_ENDED_SUBSCRIPTION },
    {
      next(value) {
        const status = (value.data as { sessionEnded?: { status?: SessionStatus } } | undefined)?.sessionEnded?.status;
        if (status) void manager.signOut({ reason: "SESSION_ENDED", sessionStatus: status });
      },
      // a refused or dropped subscription changes nothing: requests still find out, with their own reason
      error() {},
      complete() {},
    },
  );
}
