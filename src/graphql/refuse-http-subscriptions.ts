import { GraphQLError } from "graphql";
import type { OperationCheck } from "./operation-checks.js";

/**
 * Subscriptions are served over WebSocket (graphql-transport-ws) on /graphql, never over HTTP: a subscription
 * sent by POST or GET is the client's mistake, answered 400 BAD_REQUEST rather than failing inside execution
 * (graphql-js: "Schema is not configured to execute subscription operation", which surfaced as a 500).
 */
export const refuseHttpSubscriptions: OperationCheck = ({ operation }) => {
  if (operation?.operation !== "subscription") return;
  throw new GraphQLError("Subscriptions are served over WebSocket (graphql-transport-ws) at /graphql, not over HTTP", {
    extensions: { code: "BAD_REQUEST", http: { status: 400 } },
  });
};
