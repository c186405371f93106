import { randomUUID } from "node:crypto";
import type { ApolloServerPlugin } from "@apollo/server";
import type { Logger } from "../logger.js";
import { operationOutcome } from "./outcome.js";

const TRACEPARENT = /^[\da-f]{2}-([\da-f]{32})-[\da-f]{16}-[\da-f]{2}$/;

/**
 * One log line per GraphQL request: its request id (the W3C `traceparent` trace id when the caller sent one,
 * else a new UUID, echoed in `x-request-id`), the root field, the outcome (code and reason) and the duration.
 * Never a variable, a token or an address. `level`: info in production (one JSON line each), debug otherwise.
 */
export function createRequestLogPlugin(log: Logger, level: "info" | "debug"): ApolloServerPlugin {
  return {
    async requestDidStart({ request }) {
      const started = performance.now();
      const trace = TRACEPARENT.exec(request.http?.headers.get("traceparent") ?? "");
      const requestId = trace?.[1] ?? randomUUID();
      return {
        async willSendResponse(sent) {
          sent.response.http.headers.set("x-request-id", requestId);
          const { rootField, code, reason } = operationOutcome(sent);
          log[level]("request", {
            requestId,
            operation: rootField,
            outcome: code,
            ...(reason ? { reason } : {}),
            durationMs: Math.round((performance.now() - started) * 10) / 10,
          });
        },
      };
    },
  };
}
