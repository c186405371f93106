import { ServerError } from "@apollo/client/errors";
import { ApolloLink } from "@apollo/client/link";
import { catchError, from, mergeMap, type Observable, of, switchMap, throwError } from "rxjs";
import type { WireError } from "./auth-errors.js";
import { isPublicOperation } from "./public-operations.js";
import type { TokenManager } from "./token-manager.js";

/**
 * The Apollo Client 4 link of the kit, placed before the HttpLink: it sends the manager's access token
 * (never on signUp, login, renewToken and the other public operations), and when the API answers that the
 * token expired it renews once (shared with every other request and tab) and retries the operation once.
 * When the session has ended it lets the error through and the manager emits `signedOut`.
 */
export function createAuthLink(manager: TokenManager): ApolloLink {
  return new ApolloLink((operation, forward) => {
    if (isPublicOperation(operation.query)) return forward(operation);
    const attempt = (token: string | null, retried: boolean): Observable<ApolloLink.Result> => {
      operation.setContext(({ headers }: { headers?: Record<string, string> }) => {
        const { authorization: _stale, ...rest } = headers ?? {};
        return { headers: token ? { ...rest, authorization: `Bearer ${token}` } : rest };
      });
      return forward(operation).pipe(
        catchError((error: unknown) => {
          // a 401 sent as plain application/json reaches the link as a ServerError: read its GraphQL body
          const result = resultOfServerError(error);
          return result ? of(result) : throwError(() => error);
        }),
        mergeMap((result) => {
          if (retried || !result.errors) return of(result);
          return from(manager.recover(result.errors as readonly WireError[], token)).pipe(switchMap((next) => (next ? attempt(next, true) : of(result))));
        }),
      );
    };
    return from(manager.getAccessToken()).pipe(switchMap((token) => attempt(token, false)));
  });
}

function resultOfServerError(error: unknown): ApolloLink.Result | null {
  if (!ServerError.is(error)) return null;
  try {
    const body = JSON.parse(error.bodyText) as ApolloLink.Result;
    return Array.isArray(body.errors) ? body : null;
  } catch {
    return null;
  }
}
