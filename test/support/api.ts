import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { print, type GraphQLFormattedError, type GraphQLSchema } from "graphql";
import type { AddressInfo } from "node:net";
import { createApp, type App } from "../../src/app.js";
import { loadConfig, type Config } from "../../src/config.js";
import { silentLogger, type Logger } from "../../src/logger.js";
import { createPostgresRateLimiters } from "../../src/storage/postgres/rate-limiters.js";
import { createPostgresStore } from "../../src/storage/postgres/postgres-store.js";
import { createPostgresSessionEndFeed, type PostgresSessionEndFeedOptions } from "../../src/storage/postgres/session-end-listener.js";
import type { Store } from "../../src/auth/ports/store.js";
import { createTestDatabase } from "./postgres.js";

/** The JWT secret of test servers; tests forge tokens with it. */
export const TEST_JWT_SECRET = "test-secret-0123456789-abcdefghijklmnopqrstuvwxyz";

/** The TOTP_ENCRYPTION_KEY of test servers (32 bytes, base64). */
export const TEST_TOTP_KEY = Buffer.alloc(32, 0x5a).toString("base64");

/** A GraphQL answer as a client sees it, with the HTTP status and headers. */
export interface GraphQLResponse<T> {
  status: number;
  headers: Headers;
  data: T | null | undefined;
  errors: GraphQLFormattedError[] | undefined;
}

/** A running API on an ephemeral port over a fresh PostgreSQL database. */
export interface TestApi {
  url: string;
  /** ws://…/graphql, for graphql-ws clients. */
  wsUrl: string;
  config: Config;
  app: App;
  store: Store;
  /** A second-instance constructor: another API process-equivalent on the same database. */
  databaseUrl: string;
  graphql<TData, TVars>(
    document: TypedDocumentNode<TData, TVars>,
    variables?: TVars,
    options?: { token?: string; headers?: Record<string, string> },
  ): Promise<GraphQLResponse<TData>>;
  close(): Promise<void>;
}

/**
 * Starts the API against a new database; `env` overrides configuration variables. Rate limits are off unless
 * `env` turns them on (RATE_LIMIT_ENABLED=true): API tests log in many times from 127.0.0.1; the security
 * tests (test/security) turn them on and check them.
 */
export async function startTestApi(
  env: Record<string, string> = {},
  databaseUrl?: string,
  schema?: GraphQLSchema,
  log: Logger = silentLogger,
  options: { feed?: Omit<PostgresSessionEndFeedOptions, "url"> } = {},
): Promise<TestApi> {
  const database = databaseUrl ? null : await createTestDatabase();
  const url = databaseUrl ?? database!.url;
  const config = loadConfig({
    JWT_SECRET: TEST_JWT_SECRET,
    TOTP_ENCRYPTION_KEY: TEST_TOTP_KEY,
    DATABASE_URL: url,
    DATABASE_POOL_SIZE: "5",
    RATE_LIMIT_ENABLED: "false",
    PRODUCTION_OVERRIDES: "rate-limits-off",
    ...env,
  });
  const store = createPostgresStore({ url, poolSize: 5, connectTimeoutMs: config.database.timeoutMs, statementTimeoutMs: config.database.timeoutMs });
  const rateLimiters = config.rateLimits.enabled ? createPostgresRateLimiters({ url }) : undefined;
  const sessionFeed = createPostgresSessionEndFeed({ ...options.feed, url });
  const app = await createApp({ config, jwtSecret: config.jwt.secret!, store, rateLimiters, sessionFeed, log, schema });
  await sessionFeed.ready();
  await new Promise<void>((resolve) => app.server.http.listen(0, "127.0.0.1", resolve));
  const { port } = app.server.http.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}/graphql`;
  return {
    url: endpoint,
    wsUrl: `ws://127.0.0.1:${port}/graphql`,
    config,
    app,
    store,
    databaseUrl: url,
    graphql: (document, variables, options) => postGraphQL(endpoint, document, variables, options),
    async close() {
      await app.close();
      await rateLimiters?.close();
      await store.close();
      await database?.drop();
    },
  };
}

/** POSTs one operation as a client would. */
export async function postGraphQL<TData, TVars>(
  endpoint: string,
  document: TypedDocumentNode<TData, TVars>,
  variables?: TVars,
  options: { token?: string; headers?: Record<string, string> } = {},
): Promise<GraphQLResponse<TData>> {
  const response = await fetch(endpoint, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...options.headers,
    },
    body: JSON.stringify({ query: print(document), variables }),
  });
  const body = (await response.json()) as { data?: TData | null; errors?: GraphQLFormattedError[] };
  return { status: response.status, headers: response.headers, data: body.data, errors: body.errors };
}

/** The first error's code, for assertions. */
export function errorCode(response: GraphQLResponse<unknown>): unknown {
  return response.errors?.[0]?.extensions?.code;
}

let counter = 0;
/** A unique, policy-compliant set of credentials. */
export function newCredentials(prefix = "user") {
  counter += 1;
  const id = `${prefix}${counter}${Math.random().toString(36).slice(2, 8)}`;
  return { email: `${id}@example.com`, username: id, password: `correct horse battery ${id}` };
}
