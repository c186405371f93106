import type { GraphQLSchema } from "graphql";
import { createAuthDeps } from "./auth-deps.js";
import { createAuth, type Auth } from "./auth/auth.js";
import { startMaintenance, type Maintenance } from "./auth/maintenance.js";
import { createAuthRateLimits, type RateLimiterFactory } from "./auth/rate-limits.js";
import type { Config } from "./config.js";
import { createSchema } from "./graphql/schema.js";
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
  const server = await createApiServer({ config, schema, auth, store, log });
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
