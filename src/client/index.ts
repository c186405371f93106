/**
 * graphql-auth-api/client: keeps a browser signed in to the API correctly. Browser-safe: it imports no
 * server code (only the shared reason catalogue), and no library besides `graphql`'s printer.
 * Apollo Client users add `graphql-auth-api/client/apollo`.
 */
export {
  authActionFor,
  ERROR_REASONS,
  reasonOf,
  SessionEndedError,
  SIGNED_OUT_REASONS,
  sessionStatusOf,
  type AuthAction,
  type ErrorCode,
  type ErrorReason,
  type SignedOut,
  type SignedOutReason,
  type WireError,
} from "./auth-errors.js";
export { createGraphQLFetch, postGraphQL, renewWithFetch, signOutWithFetch, type FetchLike, type GraphQLResult } from "./fetch.js";
export * from "./generated/graphql.js";
export { watchSessionEnded, wsConnectionParams, type SubscribingClient } from "./graphql-ws.js";
export { isPublicOperation, PUBLIC_ROOT_FIELDS } from "./public-operations.js";
export { noTabSync, tabSync, type BroadcastChannelLike, type LockManagerLike, type TabMessage, type TabSync, type TabSyncOptions } from "./tab-sync.js";
export { createTokenManager, type RenewTokens, type TokenManager, type TokenManagerEvents, type TokenManagerOptions } from "./token-manager.js";
export { memoryStorage, webStorage, type StoredTokens, type TokenPair, type TokenStorage, type WebStorageLike } from "./token-storage.js";
