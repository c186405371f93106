import type { IncomingMessage, ServerResponse } from "node:http";
import type { ApolloServerPlugin } from "@apollo/server";
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { AuthObserver } from "../auth/observer.js";
import { matchesSecret, secretDigest } from "../http/secret-digest.js";
import { operationOutcome } from "./outcome.js";

/** Prometheus metrics of one API instance: the auth core's counts, GraphQL requests, sockets, pool, process. */
export interface Metrics {
  /** Where the auth core reports (session lookups, account events, rate-limit refusals). */
  observer: AuthObserver;
  /** Counts and times GraphQL operations by their root field and outcome. */
  graphqlPlugin: ApolloServerPlugin;
  /** Adds a gauge read at scrape time (open sockets, pool connections, outbox depth). */
  gauge(name: string, help: string, read: () => number | Promise<number>): void;
  /** The exposition text. */
  render(): Promise<string>;
  contentType: string;
}

const SECONDS_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/**
 * Builds the metrics on a registry of their own (several instances may share a process in tests). Labels hold
 * only names from the schema and the catalogues (root field, code, reason, event type, rule): never a user id,
 * an email or a token.
 */
export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const requests = new Counter({
    name: "graphql_requests_total",
    help: "GraphQL operations by root field and outcome (extensions.code and reason of the first error; OK when none).",
    labelNames: ["operation", "code", "reason"],
    registers: [registry],
  });
  const duration = new Histogram({
    name: "graphql_request_duration_seconds",
    help: "Time from receiving a GraphQL operation to its answer, by root field.",
    labelNames: ["operation"],
    buckets: SECONDS_BUCKETS,
    registers: [registry],
  });
  const lookupSeconds = new Histogram({
    name: "auth_session_lookup_duration_seconds",
    help: "One batched session+user lookup of the per-request check.",
    buckets: SECONDS_BUCKETS,
    registers: [registry],
  });
  const lookupBatch = new Histogram({
    name: "auth_session_lookup_batch_size",
    help: "Sessions served by one lookup query.",
    buckets: [1, 2, 4, 8, 16, 32, 64, 128, 200],
    registers: [registry],
  });
  const events = new Counter({
    name: "auth_events_total",
    help: "Account events (logins by outcome, renewals, reuse detections, sessions ended by cause, …), by audit type.",
    labelNames: ["type", "outcome", "reason"],
    registers: [registry],
  });
  const refusals = new Counter({
    name: "auth_rate_limited_total",
    help: "Requests refused by a rate-limit rule.",
    labelNames: ["rule"],
    registers: [registry],
  });

  return {
    observer: {
      sessionLookup(size, seconds) {
        lookupBatch.observe(size);
        lookupSeconds.observe(seconds);
      },
      accountEvent(type, outcome, reason) {
        events.inc({ type, outcome, reason: reason ?? "" });
      },
      rateLimited(rule) {
        refusals.inc({ rule });
      },
    },
    graphqlPlugin: {
      async requestDidStart() {
        const started = performance.now();
        return {
          async willSendResponse(request) {
            const { rootField, code, reason } = operationOutcome(request);
            const name = rootField ?? "unknown";
            requests.inc({ operation: name, code, reason: reason ?? "" });
            duration.observe({ operation: name }, (performance.now() - started) / 1000);
          },
        };
      },
    },
    gauge(name, help, read) {
      new Gauge({
        name,
        help,
        registers: [registry],
        async collect() {
          this.set(await read());
        },
      });
    },
    render: () => registry.metrics(),
    contentType: registry.contentType,
  };
}

/**
 * `GET /metrics`. With a token, only `Authorization: Bearer <token>` is answered (compared in constant time);
 * without one, anyone who reaches the port (configuration refuses that in production).
 */
export function createMetricsHandler(metrics: Metrics, token: string | null) {
  const expected = token === null ? null : secretDigest(token);
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.method !== "GET") {
      res.writeHead(405, { allow: "GET" }).end();
      return;
    }
    if (expected) {
      if (!matchesSecret(/^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1] ?? "", expected)) {
        res.writeHead(401, { "www-authenticate": "Bearer" }).end();
        return;
      }
    }
    res.writeHead(200, { "content-type": metrics.contentType, "cache-control": "no-store" }).end(await metrics.render());
  };
}
