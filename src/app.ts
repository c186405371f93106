import type { GraphQLSchema } from "graphql";
import { createAuthDeps } from "./auth-deps.js";
import { createAuth, type Auth } from "./auth/auth.js";
import { startMaintenance, type Maintenance } from "./auth/maintenance.js";
import { createAuthRateLimits, type RateLimiterFactory, type RateLimitRule } from "./auth/rate-limits.js";
import type { Config } from "./config.js";
import { createSchema } from "./graphql/schema.js";
import { assertRootFieldsGuarded } from "./graphql/guards/require-guards.js";
import { createGuardRules } from "./graphql/guards/guard-rules.js";
import { createIntrospectionHandler } from "./http/introspection.js";
import { createApiServer, type ApiServer } from "./http/server.js";
import type { Logger } from "./logger.js";
import type { Store } from "./storage/store.js";

/** A running API over a given store: everything but the database's own lifecycle. */
export interface App {
  auth: Auth;
  server: ApiServer;
  /** Sweeps expired sessions and prunes old audit events in the background. */
  maintenance: Maintenance;
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
}): Promise<App> {
  const { config, store, log } = options;
  if (config.rateLimits.enabled && !options.rateLimiters) {
    throw new Error("rate limits are on but no rate-limit store was given; set RATE_LIMIT_ENABLED=false only if a proxy in front limits login attempts");
  }
  const rateLimits = options.rateLimiters ? createAuthRateLimits(options.rateLimiters, config.rateLimits) : undefined;
  const deps = createAuthDeps({ ...options, rateLimits });
  const auth = createAuth(deps);
  const schema = options.schema ?? (await createSchema());
  if (config.graphql.requireGuards) assertRootFieldsGuarded(schema);
  const introspection = createIntrospectionHandler({
    auth,
    clients: config.tokenIntrospection.clients,
    failures: config.rateLimits.enabled ? options.rateLimiters?.create(introspectionFailureRule(config)) : undefined,
  });
  const server = await createApiServer({
    config,
    schema,
    auth,
    store,
    log,
    guardRules: createGuardRules(config),
    routes: { "/oauth2/introspect": introspection },
  });
  const maintenance = startMaintenance({ store, log, now: deps.now, settings: config.maintenance });
  return {
    auth,
    server,
    maintenance,
    async close() {
      await server.close();
      await maintenance.stop();
      await deps.activity.stop();
    },
  };
}

/** Failed introspection client authentications per address: the n-th starts a one-minute block. */
function introspectionFailureRule(config: Config): RateLimitRule {
  return { name: "introspection-client-failures", points: config.tokenIntrospection.failuresPerMinute - 1, durationSeconds: 60, blockSeconds: 60 };
}
