import type { ApolloServerPlugin } from "@apollo/server";
import type { GraphQLFormattedError } from "graphql";
import type { IncomingMessage } from "node:http";
import { startAuthRuntime } from "./auth-runtime.js";
import type { Auth } from "./auth/auth.js";
import type { RateLimiterFactory } from "./auth/rate-limits.js";
import { loadConfig, type Config } from "./config.js";
import { loadOrCreateDevSecret } from "./dev-secret.js";
import { createContext, type GraphQLContext } from "./graphql/context.js";
import { createFormatError, httpStatusPlugin } from "./graphql/errors.js";
import { createGuardRules } from "./graphql/guards/guard-rules.js";
import { clientAddress } from "./http/client-address.js";
import { introspect } from "./http/introspection.js";
import { createLogger, type Logger } from "./logger.js";
import { openStore } from "./storage/open-store.js";
import type { Store } from "./auth/ports/store.js";
import { createOutageMonitor } from "./storage/outage-monitor.js";

/** How to create the auth service: over a database URL (opened and migrated here) or over an existing store. */
export interface AuthServiceOptions {
  /** A `postgresql://` or `mongodb://` URL; defaults to `env.DATABASE_URL` (unset: an embedded PostgreSQL). */
  databaseUrl?: string;
  /** An already open store; the service then neither migrates nor closes it. */
  store?: Store;
  /** Where rate-limit counters live, with `store` (required unless RATE_LIMIT_ENABLED=false). */
  rateLimiters?: RateLimiterFactory;
  /** The configuration variables (README's table); defaults to `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  log?: Logger;
}

/** The auth service an integrator mounts in their own Apollo Server 5. */
export interface AuthService {
  readonly config: Config;
  /** The use cases (signUp, login, logout, revokeSession, …) for code that is not GraphQL. */
  readonly auth: Auth;
  /**
   * The context piece for one request: `principal()` (memoised, checked against the database), the auth
   * use cases and the guard rules. Spread it into your own context: `context: async ({ req }) => ({ ...auth.context(req) })`.
   */
  context(req: IncomingMessage): GraphQLContext;
  /** `formatError` and `plugins` for `new ApolloServer(...)`: error codes and reasons, and 401/403 HTTP statuses. */
  readonly apolloOptions: {
    formatError: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;
    plugins: ApolloServerPlugin<GraphQLContext>[];
  };
  /**
   * The RFC 7662 answer for an access token, as `POST /oauth2/introspect` gives it: its claims when the
   * per-request check accepts it, else `{ active: false }` (for a service that checks tokens without GraphQL).
   */
  introspect(accessToken: string): Promise<Record<string, unknown>>;
  /** Stops the background sweep and closes what the service opened. */
  close(): Promise<void>;
}

/** Creates the auth service: configuration, database (migrated), the auth core and its per-request check. */
export async function createAuthService(options: AuthServiceOptions = {}): Promise<AuthService> {
  const env = { ...(options.env ?? process.env) };
  if (options.databaseUrl !== undefined) env.DATABASE_URL = options.databaseUrl;
  const config = loadConfig(env);
  const log = options.log ?? createLogger({ level: config.logLevel, json: config.production });
  const jwtSecret = config.jwt.secret ?? (await loadOrCreateDevSecret(config.dataDir)).secret;
  const opened = options.store ? null : await openStore(config, log);
  const store = options.store ?? opened!.store;
  const runtime = startAuthRuntime({ config, jwtSecret, store, log, rateLimiters: options.rateLimiters ?? opened?.rateLimiters });
  const guardRules = createGuardRules(config);
  // a database outage is logged once, with its end, however many requests it refuses
  const outage = createOutageMonitor({ ping: () => store.ping(), log });
  return {
    config,
    auth: runtime.auth,
    context: (req) =>
      createContext({
        auth: runtime.auth,
        client: { ipAddress: clientAddress(req, config.http.trustProxyHops), userAgent: req.headers["user-agent"]?.slice(0, 512) ?? null },
        authorization: req.headers.authorization,
        guardRules,
      }),
    introspect: (accessToken) => introspect(runtime.auth, accessToken),
    apolloOptions: {
      formatError: createFormatError(log, (cause) => outage.refused(cause), { hideSuggestions: !config.graphql.fieldSuggestions }),
      plugins: [httpStatusPlugin],
    },
    async close() {
      outage.stop();
      await runtime.stop();
      await opened?.close();
    },
  };
}
