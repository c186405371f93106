import { ApolloServer, type ApolloServerPlugin, HeaderMap, type HTTPGraphQLResponse } from "@apollo/server";
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from "@apollo/server/plugin/disabled";
import { ApolloServerPluginLandingPageLocalDefault } from "@apollo/server/plugin/landingPage/default";
import type { GraphQLSchema } from "graphql";
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Auth } from "../auth/auth.js";
import type { ClientInfo } from "../auth/principal.js";
import type { Config } from "../config.js";
import { createContext, type GraphQLContext } from "../graphql/context.js";
import { createArmor } from "../graphql/armor.js";
import { createFormatError, setFailureStatus } from "../graphql/errors.js";
import type { GuardRule } from "../graphql/guards/guard.js";
import { operationChecksPlugin } from "../graphql/operation-checks.js";
import { refuseHttpSubscriptions } from "../graphql/refuse-http-subscriptions.js";
import type { Logger } from "../logger.js";
import { createOutageMonitor } from "../storage/outage-monitor.js";
import type { Store } from "../auth/ports/store.js";
import { clientAddress } from "./client-address.js";
import { HttpClient } from "./http-client.js";
import { type Cors, createCors } from "./cors.js";
import { createGracefulShutdown, drainAwareResponse, type ShutdownCloser } from "./graceful-shutdown.js";
import type { RouteTools } from "./introspection.js";
import { ClientGoneError, HttpError, readJsonBody } from "./read-body.js";
import { withTimeout } from "../with-timeout.js";

const READY_TIMEOUT_MS = 2_000;
// longer than the idle timeout of common load balancers (60 s), so they, not we, close idle connections
const KEEP_ALIVE_TIMEOUT_MS = 65_000;
const HEADERS_TIMEOUT_MS = 20_000;
const TIMEOUT_CHECK_INTERVAL_MS = 1_000;

/** An endpoint beside /graphql. */
export type RouteHandler = (req: IncomingMessage, res: ServerResponse, tools: RouteTools) => Promise<void>;

/** The HTTP front: /graphql through Apollo, plus /healthz and /readyz. */
export interface ApiServer {
  http: Server;
  apollo: ApolloServer<GraphQLContext>;
  /** The browser-origin policy, shared with any other endpoint on this server (WebSocket). */
  cors: Cors;
  /** True once shutdown has begun (readiness fails, responses say `Connection: close`). */
  readonly draining: boolean;
  /** Registers a closer run during shutdown once HTTP requests have drained: subscription sockets close here (1001). */
  addCloser(closer: ShutdownCloser): void;
  /**
   * Stops accepting connections, serves every request already sent, closes connections as they go idle, runs the
   * closers, and destroys whatever is left at the shutdown deadline (SHUTDOWN_TIMEOUT); then stops Apollo.
   */
  close(): Promise<void>;
}

/** Builds the Apollo server and the node:http server around it (not yet listening). */
export async function createApiServer(options: {
  config: Config;
  schema: GraphQLSchema;
  auth: Auth;
  store: Store;
  log: Logger;
  /** What guarded fields check after authentication (createGuardRules). */
  guardRules?: readonly GuardRule[];
  /** Further endpoints by exact path (token introspection, metrics). */
  routes?: Readonly<Record<string, RouteHandler>>;
  /** Runs each GraphQL request inside something of the caller's (a trace span). */
  aroundRequest?: <T>(name: string, run: () => Promise<T>) => Promise<T>;
  /** Further Apollo plugins (metrics, request logs). */
  plugins?: readonly ApolloServerPlugin<GraphQLContext>[];
}): Promise<ApiServer> {
  const { config, auth, store, log } = options;
  // a database outage is logged once, with its end, however many requests it refuses
  const outage = createOutageMonitor({ ping: () => store.ping(), log });
  const armor = createArmor(config.graphql);
  const cors = createCors(
    { origins: config.http.corsOrigins, allowLoopback: config.http.corsAllowLoopback, allowedHeaders: config.http.corsAllowedHeaders },
    log,
  );
  const apollo = new ApolloServer<GraphQLContext>({
    schema: options.schema,
    formatError: createFormatError(log, (cause) => outage.refused(cause), { hideSuggestions: !config.graphql.fieldSuggestions }),
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
      operationChecksPlugin([refuseHttpSubscriptions, ...armor.checks], setFailureStatus),
      ...(options.plugins ?? []),
      ...armor.plugins,
      // every answer is `cache-control: no-store` (it carries tokens), so Apollo's cache-control plugin, which
      // wraps every field resolver to gather hints, would cost each request for nothing. @see issue 17
      ApolloServerPluginCacheControlDisabled(),
      config.graphql.sandbox ? ApolloServerPluginLandingPageLocalDefault({ embed: true }) : ApolloServerPluginLandingPageDisabled(),
    ],
  });
  await apollo.start();

  const handleGraphQL = async (req: IncomingMessage, res: ServerResponse, url: RequestTarget) => {
    const headers = new HeaderMap();
    const incoming = req.headers;
    for (const key in incoming) {
      const value = incoming[key];
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(", ") : value);
    }
    // read before the body: a client that resets the connection mid-body has no address afterwards
    const client = new HttpClient(clientAddress(req, config.http.trustProxyHops), truncate(req.headers["user-agent"], 512), res);
    const body = req.method === "POST" ? await readJsonBody(req, config.http.maxBodyBytes) : undefined;
    const response = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: req.method ?? "GET", headers, search: url.search, body },
      context: async () => createContext({ auth, client, authorization: req.headers.authorization, guardRules: options.guardRules }),
    });
    await writeResponse(res, response);
  };

  const clientInfo = (req: IncomingMessage): ClientInfo => ({
    ipAddress: clientAddress(req, config.http.trustProxyHops),
    userAgent: truncate(req.headers["user-agent"], 512),
  });

  const state = { draining: false };
  const serverOptions = {
    ServerResponse: drainAwareResponse(() => state.draining),
    requestTimeout: config.http.requestTimeoutMs,
    headersTimeout: Math.min(config.http.requestTimeoutMs, HEADERS_TIMEOUT_MS),
    keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
    // Node enforces the two timeouts above on this interval (30 s by default: a stalled body lived ~90 s)
    connectionsCheckingInterval: TIMEOUT_CHECK_INTERVAL_MS,
  };
  const http = createHttpServer(serverOptions, async (req, res) => {
    const url = parseTarget(req.url ?? "/");
    res.setHeader("x-content-type-options", "nosniff");
    try {
      if (url.pathname === "/graphql") {
        if (cors.apply(req, res)) return;
        res.setHeader("cache-control", "no-store"); // answers carry tokens
        return await (options.aroundRequest
          ? options.aroundRequest(`${req.method} /graphql`, () => handleGraphQL(req, res, url))
          : handleGraphQL(req, res, url));
      }
      const route = options.routes?.[url.pathname];
      if (route) return await route(req, res, { client: clientInfo(req) });
      if (url.pathname === "/healthz" && req.method === "GET") return sendJson(res, 200, { status: "ok" });
      if (url.pathname === "/readyz" && req.method === "GET") {
        // a load balancer stops sending new work from the first moment of shutdown
        if (state.draining) return sendJson(res, 503, { status: "shutting down" });
        const ready = await withTimeout(store.ping(), READY_TIMEOUT_MS, "database").then(
          () => true,
          () => false,
        );
        return sendJson(res, ready ? 200 : 503, { status: ready ? "ready" : "database unavailable" });
      }
      sendJson(res, 404, { error: "Not found" });
    } catch (error) {
      if (error instanceof HttpError) {
        // the rest of an oversized body is not worth reading: the connection closes after the answer
        if (error.status === 413) res.setHeader("connection", "close");
        return sendJson(res, error.status, { errors: [{ message: error.message, extensions: { code: "BAD_REQUEST" } }] });
      }
      if (error instanceof ClientGoneError || req.destroyed) {
        // the client's doing (it went away, or stalled mid-body and Node answered 408): nothing for an operator
        log.debug("request abandoned by the client", { path: url.pathname, reason: error instanceof Error ? error.message : String(error) });
        return void res.destroy();
      }
      log.error("unhandled HTTP error", { error, path: url.pathname });
      if (!res.headersSent) sendJson(res, 500, { errors: [{ message: "Internal server error", extensions: { code: "INTERNAL_SERVER_ERROR" } }] });
      else res.destroy();
    }
  });
  const shutdown = createGracefulShutdown(http, state);

  return {
    http,
    apollo,
    get draining() {
      return shutdown.draining;
    },
    addCloser: (closer) => shutdown.addCloser(closer),
    cors,
    async close() {
      await shutdown.shutdown(config.http.shutdownTimeoutMs);
      await apollo.stop();
      outage.stop();
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

type RequestTarget = { pathname: string; search: string };

// The hot target ("/graphql", "/graphql?…") is split by hand, sparing a URL object per request; any other goes
// through URL's normalisation (dot segments, absolute form, fragments). @see issue 17
function parseTarget(target: string): RequestTarget {
  const query = target.indexOf("?");
  const pathname = query === -1 ? target : target.slice(0, query);
  if (pathname === "/graphql" && !target.includes("#")) return { pathname, search: query === -1 ? "" : target.slice(query) };
  return new URL(target, "http://localhost");
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" });
  res.end(JSON.stringify(body));
}

function truncate(value: string | undefined, max: number): string | null {
  return value === undefined ? null : value.slice(0, max);
}
