import type { ApolloServerPlugin, BaseContext, GraphQLRequestContextDidResolveOperation, GraphQLRequestContextWillSendResponse } from "@apollo/server";

/** A check of an operation that Apollo has parsed, validated and resolved: it throws a GraphQLError (4xx) to refuse it. */
export type OperationCheck = (request: GraphQLRequestContextDidResolveOperation<BaseContext>) => void;

/**
 * One Apollo plugin for the API's checks before execution (in order; the first to throw refuses the operation,
 * before any resolver runs) and its one step before the answer goes out (`beforeResponse`: the HTTP status).
 * Apollo pays on every request for every plugin and hook (an async call and a Promise.all each), so these share
 * one listener, a single object built once: nothing is allocated per request. @see issue 17
 */
export function operationChecksPlugin<TContext extends BaseContext>(
  checks: readonly OperationCheck[],
  beforeResponse?: (request: GraphQLRequestContextWillSendResponse<TContext>) => void,
): ApolloServerPlugin<TContext> {
  const listener = {
    async didResolveOperation(request: GraphQLRequestContextDidResolveOperation<TContext>) {
      for (const check of checks) check(request);
    },
    ...(beforeResponse
      ? {
          async willSendResponse(request: GraphQLRequestContextWillSendResponse<TContext>) {
            beforeResponse(request);
          },
        }
      : {}),
  };
  return {
    async requestDidStart() {
      return listener;
    },
  };
}
