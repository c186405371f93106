import type { GraphQLSchema } from "graphql";
import { startAuthRuntime } from "./auth-runtime.js";
import type { Auth } from "./auth/auth.js";
import type { Maintenance } from "./auth/maintenance.js";
import type { RateLimiterFactory, RateLimitRule } from "./auth/rate-limits.js";
import { createSessionEvents, type SessionEndFeed, type SessionEvents } from "./auth/session-events.js";
import type { Config } from "./config.js";
import { createSchema } from "./graphql/schema.js";
import { assertRootFieldsGuarded } from "./graphql/guards/require-guards.js";
import { createGuardRules } from "./graphql/guards/guard-rules.js";
import { createIntrospectionHandler } from "./http/introspection.js";
import { createApiServer, type ApiServer } from "./http/server.js";
import { createMetrics, createMetricsHandler } from "./observability/metrics.js";
import { createRequestLogPlugin } from "./observability/request-log.js";
import { startTracing } from "./observability/tracing.js";
import type { Logger } from "./logger.js";
import type { OutboxWorker } from "./mail/outbox-worker.js";
import type { MailTemplates } from "./mail/templates.js";
import type { Store } from "./auth/ports/store.js";
import { attachSubscriptionServer, type SubscriptionServer } from "./ws/subscription-server.js";

/** A running API over a given store: everything but the database's own lifecycle. */
export interface App {
  auth: Auth;
  server: ApiServer;
  /** GraphQL subscriptions over WebSocket on the same /graphql. */
  subscriptions: SubscriptionServer;
  /** Session ends from the database (every instance), by session id. */
  sessionEvents: SessionEvents;
  /** Sweeps expired sessions and prunes old audit events in the background. */
  maintenance: Maintenance;
  /** Delivers queued mail in the background; null when mail is off (MAIL_ENABLED=false). */
  mail: OutboxWorker | null;
  /** Stops the HTTP server and the maintenance timer, then writes the pending session activity. */
  close(): Promise<void>;
}

/** Wires the auth core, GraphQL schema, HTTP server and background maintenance together. `jwtSecret` is the resolved secret. */
export async function createApp(options: {
  config: Config;
  jwtSecret: string;
  store: Store;
  log: Logger;
  now?: () => Date;
  schema?: GraphQLSchema;
  /** Where rate-limit counters live (the store's database); required unless RATE_LIMIT_ENABLED=false. */
  rateLimiters?: RateLimiterFactory;
  /**
   * The database's notices of ended sessions (openStore gives one per provider). Without it, sockets close only
   * at their own deadlines (token expiry, session expiry), not when their session is ended elsewhere.
   */
  sessionFeed?: SessionEndFeed;
  /** The development TOTP key from the data folder, used when TOTP_ENCRYPTION_KEY is unset. */
  totpKey?: Buffer;
  /** Replacements for the built-in mail templates (src/mail/templates.ts). */
  mailTemplates?: Partial<MailTemplates>;
}): Promise<App> {
  const { config, log } = options;
  const tracing = config.tracing.endpoint ? startTracing({ endpoint: config.tracing.endpoint, serviceName: config.tracing.serviceName }) : null;
  const store = tracing ? tracing.traceStore(options.store) : options.store;
  const schema = options.schema ?? (await createSchema());
  if (config.graphql.requireGuards) assertRootFieldsGuarded(schema);
  const metrics = config.metrics.enabled ? createMetrics() : null;
  const runtime = startAuthRuntime({ ...options, store, observer: metrics?.observer });
  const { auth, deps } = runtime;
  const introspection = createIntrospectionHandler({
    auth,
    clients: config.tokenIntrospection.clients,
    failures: config.rateLimits.enabled ? options.rateLimiters?.create(introspectionFailureRule(config)) : undefined,
  });
  const guardRules = createGuardRules(config);
  const server = await createApiServer({
    config,
    schema,
    auth,
    store,
    log,
    guardRules,
    routes: { "/oauth2/introspect": introspection, ...(metrics ? { "/metrics": createMetricsHandler(metrics, config.metrics.token) } : {}) },
    plugins: [
      createRequestLogPlugin(log, config.production ? "info" : "debug"),
      ...(metrics ? [metrics.graphqlPlugin] : []),
      ...(tracing ? [tracing.graphqlPlugin] : []),
    ],
    ...(tracing ? { aroundRequest: tracing.around } : {}),
  });
  if (!options.sessionFeed) log.warn("no session-end feed: sockets will not close when their session is ended elsewhere");
  const sessionEvents = createSessionEvents({
    feed: options.sessionFeed ?? null,
    store,
    idleTimeoutSeconds: config.sessions.idleTimeoutSeconds,
    now: deps.now,
    log,
  });
  const subscriptions = attachSubscriptionServer({
    http: server.http,
    schema,
    auth,
    store,
    guardRules,
    events: sessionEvents,
    isOriginAllowed: server.cors.isOriginAllowed,
    config,
    log,
  });
  if (store.poolStats) {
    const stats = store.poolStats.bind(store);
    metrics?.gauge("db_pool_connections_in_use", "Database connections checked out of the pool.", () => stats().total - stats().idle);
    metrics?.gauge("db_pool_waiting_requests", "Callers waiting for a database connection.", () => stats().waiting);
  }
  metrics?.gauge("graphql_ws_open_sockets", "Open subscription sockets on this instance.", () => subscriptions.sockets);
  metrics?.gauge("graphql_ws_running_operations", "Subscriptions running on this instance's sockets.", () => subscriptions.operations);
  // sockets close (1001) once the HTTP requests in flight have drained
  server.addCloser(() => subscriptions.close());
  return {
    auth,
    server,
    subscriptions,
    sessionEvents,
    maintenance: runtime.maintenance,
    mail: runtime.mail,
    async close() {
      await server.close();
      await sessionEvents.close();
      await runtime.stop();
      await tracing?.shutdown();
    },
  };
}

/** Failed introspection client authentications per address: the n-th starts a one-minute block. */
function introspectionFailureRule(config: Config): RateLimitRule {
  return { name: "introspection-client-failures", points: config.tokenIntrospection.failuresPerMinute - 1, durationSeconds: 60, blockSeconds: 60 };
}
