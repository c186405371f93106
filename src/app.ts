import type { GraphQLSchema } from "graphql";
import { createAccessTokenKey } from "./auth/access-tokens.js";
import { createAuditLog } from "./auth/audit-log.js";
import { createAuth, type Auth } from "./auth/auth.js";
import type { AuthDeps } from "./auth/deps.js";
import { createPasswordHasher } from "./auth/passwords.js";
import { createSessionActivity } from "./auth/session-activity.js";
import type { Config } from "./config.js";
import { createSchema } from "./graphql/schema.js";
import { createApiServer, type ApiServer } from "./http/server.js";
import type { Logger } from "./logger.js";
import type { Store } from "./storage/store.js";

/** A running API over a given store: everything but the database's own lifecycle. */
export interface App {
  auth: Auth;
  server: ApiServer;
  /** Stops the HTTP server, then writes what is buffered (activity, audit events). */
  close(): Promise<void>;
}

/** Wires the auth core, GraphQL schema and HTTP server together. `jwtSecret` is the resolved secret. */
export async function createApp(options: {
  config: Config;
  jwtSecret: string;
  store: Store;
  log: Logger;
  now?: () => Date;
  schema?: GraphQLSchema;
}): Promise<App> {
  const { config, store, log } = options;
  const audit = createAuditLog({ store, log });
  const activity = createSessionActivity({ store, log });
  const deps: AuthDeps = {
    store,
    hasher: createPasswordHasher({ ...config.passwords.argon2, maxConcurrent: config.passwords.maxConcurrentHashes }),
    accessTokens: {
      key: createAccessTokenKey(options.jwtSecret),
      issuer: config.jwt.issuer,
      audience: config.jwt.audience,
      ttlSeconds: config.jwt.accessTtlSeconds,
    },
    sessions: config.sessions,
    passwordPolicy: { minLength: config.passwords.minLength, maxLength: config.passwords.maxLength },
    audit,
    activity,
    now: options.now ?? (() => new Date()),
    log,
  };
  const auth = createAuth(deps);
  const schema = options.schema ?? (await createSchema());
  const server = await createApiServer({ config, schema, auth, store, log });
  return {
    auth,
    server,
    async close() {
      await server.close();
      await activity.stop();
    },
  };
}
