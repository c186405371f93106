import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { print } from "graphql";
import { reasonOf, SessionEndedError, sessionStatusOf, type WireError } from "./auth-errors.js";
import { LogoutDocument, RenewTokenDocument } from "./generated/graphql.js";
import { isPublicOperation } from "./public-operations.js";
import type { RenewTokens, TokenManager } from "./token-manager.js";

/** A GraphQL response body. */
export interface GraphQLResult<TData> {
  data?: TData | null;
  errors?: WireError[];
}

/** The `fetch` to use: the global one by default (pass one for tests, SSR or instrumentation). */
export type FetchLike = (
  input: string,
  init: { method: string; headers: Record<string, string>; body: string },
) => Promise<{ status: number; json(): Promise<unknown> }>;

/** POSTs one operation (GraphQL over HTTP); a non-2xx answer with a GraphQL body is a result, not a throw. */
export async function postGraphQL<TData, TVariables>(
  endpoint: string,
  document: TypedDocumentNode<TData, TVariables>,
  variables: TVariables | undefined,
  options: { token?: string | null; fetch?: FetchLike } = {},
): Promise<GraphQLResult<TData> & { status: number }> {
  const doFetch = options.fetch ?? (globalThis.fetch as FetchLike);
  const headers: Record<string, string> = { "content-type": "application/json", accept: "application/graphql-response+json, application/json" };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const response = await doFetch(endpoint, { method: "POST", headers, body: JSON.stringify({ query: print(document), variables }) });
  const body = (await response.json()) as GraphQLResult<TData>;
  return { ...body, status: response.status };
}

/** The manager's `renew` over plain fetch: POSTs renewToken to `endpoint`. */
export function renewWithFetch(endpoint: string, options: { fetch?: FetchLike } = {}): RenewTokens {
  return async (refreshToken) => {
    const result = await postGraphQL(endpoint, RenewTokenDocument, { refreshToken }, options);
    if (result.data?.renewToken) return result.data.renewToken;
    const error = result.errors?.[0];
    if (error?.extensions?.code === "UNAUTHENTICATED") {
      throw new SessionEndedError({ reason: reasonOf(error) ?? "REFRESH_TOKEN_INVALID", sessionStatus: sessionStatusOf(error) });
    }
    throw new Error(`renewToken failed: ${error?.message ?? `HTTP ${result.status}`}`);
  };
}

/**
 * Signs out: this tab and every other one at once (`signedOut` with reason SIGNED_OUT), then tells the API
 * with `logout` (best effort: the tokens are gone from the browser either way). In that order, so the
 * session's own `sessionEnded` (LOGGED_OUT) cannot reach the app first and read as "signed out elsewhere".
 */
export async function signOutWithFetch(manager: TokenManager, endpoint: string, options: { fetch?: FetchLike } = {}): Promise<void> {
  const token = await manager.getAccessToken().catch(() => null);
  await manager.signOut();
  if (token) await postGraphQL(endpoint, LogoutDocument, {}, { ...options, token }).catch(() => undefined);
}

/**
 * A typed GraphQL client over plain fetch that sends the manager's access token and, when the token turns
 * out expired, renews once and retries. The same pattern fits urql (an exchange) or graphql-request.
 */
export function createGraphQLFetch(manager: TokenManager, endpoint: string, options: { fetch?: FetchLike } = {}) {
  return async function request<TData, TVariables>(document: TypedDocumentNode<TData, TVariables>, variables?: TVariables): Promise<GraphQLResult<TData>> {
    if (isPublicOperation(document)) return postGraphQL(endpoint, document, variables, options);
    const token = await manager.getAccessToken();
    const first = await postGraphQL(endpoint, document, variables, { ...options, token });
    const retryWith = await manager.recover(first.errors, token);
    return retryWith ? postGraphQL(endpoint, document, variables, { ...options, token: retryWith }) : first;
  };
}
