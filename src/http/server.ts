import { ApolloServer, HeaderMap, type HTTPGraphQLResponse } from "@apollo/server";
import { ApolloServerPluginLandingPageDisabled } from "@apollo/server/plugin/disabled";
import { ApolloServerPluginLandingPageLocalDefault } from "@apollo/server/plugin/landingPage/default";
import type { GraphQLSchema } from "graphql";
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Auth } from "../auth/auth.js";
import type { ClientInfo } from "../auth/principal.js";
import type { Config } from "../config.js";
import { createContext, type GraphQLContext } from "../graphql/context.js";
import { createArmor } from "../graphql/armor.js";
import { createFormatError, httpStatusPlugin } from "../graphql/errors.js";
import { createLoaders, createSessionBatcher } from "../graphql/loaders.js";
import type { Logger } from "../logger.js";
import type { Store } from "../storage/store.js";
import { clientAddress } from "./client-address.js";
import { applyCors } from "./cors.js";
import { HttpError, readJsonBody } from "./read-body.js";
import { withTimeout } from "../with-timeout.js";

const READY_TIMEOUT_MS = 2_000;

/** The HTTP front: /graphql through Apollo, plus /healthz and /readyz. */
export interface ApiServer {
  http: Server;
  apollo: ApolloServer<GraphQLContext>;
  /** Stops accepting requests, lets those in flight finish, then stops Apollo. */
  close(): Promise<void>;
}

/** Builds the Apollo server and the node:http server around it (not yet listening). */
export async function createApiServer(options: { config: Config; schema: GraphQLSchema; auth: Auth; store: Store; log: Logger }): Promise<ApiServer> {
  const { config, auth, store, log } = options;
  const armor = createArmor(config.graphql);
  const apollo = new ApolloServer<GraphQLContext>({
    schema: options.schema,
    formatError: createFormatError(log),
    includeStacktraceInErrorResponses: false,
    introspection: config.graphql.introspection,
    hideSchemaDetailsFromClientErrors: !config.graphql.fieldSuggestions,
    csrfPrevention: true,
    allowBatchedHttpRequests: false, // one operation per request: no batch multiplies the work of one
    validationRules: armor.validationRules,
    parseOptions: armor.parseOptions,
    // main.ts owns shutdown: it drains HTTP first, then stops Apollo, then the database
    stopOnTerminationSignals: false,
    plugins: [
      httpStatusPlugin,
      ...armor.plugins,
      config.graphql.sandbox ? ApolloServerPluginLandingPageLocalDefault({ embed: true }) : ApolloServerPluginLandingPageDisabled(),
    ],
  });
  await apollo.start();
  const batcher = createSessionBatcher(store);

  const handleGraphQL = async (req: IncomingMessage, res: ServerResponse, url: URL) => {
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(", ") : value);
    }
    const body = req.method === "POST" ? await readJsonBody(req, config.http.maxBodyBytes) : undefined;
    const client: ClientInfo = { ipAddress: clientAddress(req, config.http.trustProxyHops), userAgent: truncate(req.headers["user-agent"], 512) };
    const response = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: req.method ?? "GET", headers, search: url.search, body },
      context: async () => createContext({ auth, client, authorization: req.headers.authorization, loaders: createLoaders(batcher) }),
    });
    await writeResponse(res, response);
  };

  const http = createHttpServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    res.setHeader("x-content-type-options", "nosniff");
    try {
      if (url.pathname === "/graphql") {
        if (applyCors(req, res, config.http.corsOrigins)) return;
        res.setHeader("cache-control", "no-store"); // answers carry tokens
        return await handleGraphQL(req, res, url);
      }
      if (url.pathname === "/healthz" && req.method === "GET") return sendJson(res, 200, { status: "ok" });
      if (url.pathname === "/readyz" && req.method === "GET") {
        const ready = await withTimeout(store.ping(), READY_TIMEOUT_MS, "database").then(() => true, () => false);
        return sendJson(res, ready ? 200 : 503, { status: ready ? "ready" : "database unavailable" });
      }
      sendJson(res, 404, { error: "Not found" });
    } catch (error) {
      if (error instanceof HttpError) return sendJson(res, error.status, { errors: [{ message: error.message, extensions: { code: "BAD_REQUEST" } }] });
      log.error("unhandled HTTP error", { error, path: url.pathname });
      if (!res.headersSent) sendJson(res, 500, { errors: [{ message: "Internal server error", extensions: { code: "INTERNAL_SERVER_ERROR" } }] });
      else res.destroy();
    }
  });
  http.keepAliveTimeout = 65_000;
  http.headersTimeout = 66_000;
  http.requestTimeout = 30_000;

  return {
    http,
    apollo,
    async close() {
      await new Promise<void>((resolve) => {
        http.close(() => resolve());
        http.closeIdleConnections();
      });
      await apollo.stop();
    },
  };
}

async function writeResponse(res: ServerResponse, response: HTTPGraphQLResponse): Promise<void> {
  for (const [key, value] of response.headers) res.setHeader(key, value);
  res.statusCode = response.status ?? 200;
  if (response.body.kind === "complete") {
    res.end(response.body.string);
    return;
  }
  for await (const chunk of response.body.asyncIterator) res.write(chunk);
  res.end();
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" });
  res.end(JSON.stringify(body));
}

function truncate(value: string | undefined, max: number): string | null {
  return value === undefined ? null : value.slice(0, max);
}
