import { GraphQLError, type GraphQLFormattedError, type GraphQLSchema } from "graphql";
import { CloseCode } from "graphql-ws";
import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer, type WebSocket } from "ws";
import type { Auth } from "../auth/auth.js";
import { AuthError } from "../auth/errors.js";
import type { LiveSession } from "../auth/live-session.js";
import type { SessionEvents } from "../auth/session-events.js";
import type { Config } from "../config.js";
import { bearerToken } from "../graphql/context.js";
import { createFormatError } from "../graphql/errors.js";
import type { GuardRule } from "../graphql/guards/guard.js";
import { clientAddress } from "../http/client-address.js";
import type { Logger } from "../logger.js";
import type { Store } from "../auth/ports/store.js";
import { SocketConnection } from "./socket-connection.js";
import { createOperationChecker } from "./socket-operation.js";
import { serveGraphQLWs } from "./serve-graphql-ws.js";

/** Close codes of this API besides graphql-ws's own (4400 bad request, 4408 init timeout, …). */
export const SOCKET_CLOSE = {
  /** The session ended, or the access token expired: reconnect with a fresh token, or sign in again. */
  UNAUTHORIZED: CloseCode.Unauthorized, // 4401
  /** The token of `connection_init` was refused. */
  FORBIDDEN: CloseCode.Forbidden, // 4403
  /** Too many sockets for this session. */
  TOO_MANY_SOCKETS: 4429,
  /** The server is shutting down. */
  GOING_AWAY: 1001,
  /** The database could not be reached to check the token: try again. */
  TRY_AGAIN_LATER: 1013,
} as const;

const KEEP_ALIVE_MS = 12_000;

/** The WebSocket side of /graphql. */
export interface SubscriptionServer {
  /** Open sockets on this instance. */
  readonly sockets: number;
  /** Operations (subscriptions) running on this instance's sockets. */
  readonly operations: number;
  /** Closes every socket with 1001 and stops accepting new ones. */
  close(): Promise<void>;
}

/**
 * Serves GraphQL subscriptions (graphql-ws protocol) on the HTTP server's /graphql. `connection_init` carries
 * `{ authorization: "Bearer …" }`: a refused token closes with 4403, no token makes an anonymous socket. An
 * authenticated socket is bound to its session and closes with 4401 when the session ends (after its
 * `sessionEnded` event) or when its access token expires.
 */
export function attachSubscriptionServer(options: {
  http: Server;
  schema: GraphQLSchema;
  auth: Auth;
  store: Store;
  /** The deployment's guard rules, as over HTTP. */
  guardRules: readonly GuardRule[];
  events: SessionEvents;
  /** The HTTP endpoint's CORS origin policy: a browser page's Origin must pass it here too. */
  isOriginAllowed(origin: string): boolean;
  config: Config;
  log: Logger;
}): SubscriptionServer {
  const { http, schema, auth, events, config, log } = options;
  const limits = config.subscriptions;
  const wss = new WebSocketServer({ noServer: true, maxPayload: limits.maxMessageBytes });
  const connections = new WeakMap<WebSocket, SocketConnection>();
  const socketsPerSession = new Map<string, number>();
  const checkOperation = createOperationChecker(schema, config.graphql);
  const formatError = createFormatError(log, undefined, { hideSuggestions: !config.graphql.fieldSuggestions });
  let closing = false;
  let operations = 0;

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    if (path !== "/graphql") return refuseUpgrade(socket, 404, "Not Found");
    if (closing) return refuseUpgrade(socket, 503, "Service Unavailable");
    // browsers always send Origin, and a page on another site must not ride on its visitor's network position
    const origin = req.headers.origin;
    if (origin !== undefined && !options.isOriginAllowed(origin)) return refuseUpgrade(socket, 403, "Forbidden");
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit("connection", ws, req));
  };
  http.on("upgrade", onUpgrade);

  const bind = (live: LiveSession, ws: WebSocket): boolean => {
    const sessionId = live.principal.session.id;
    const count = socketsPerSession.get(sessionId) ?? 0;
    if (count >= limits.maxSocketsPerSession) return false;
    socketsPerSession.set(sessionId, count + 1);
    ws.once("close", () => {
      const left = (socketsPerSession.get(sessionId) ?? 1) - 1;
      if (left > 0) socketsPerSession.set(sessionId, left);
      else socketsPerSession.delete(sessionId);
    });
    return true;
  };

  const disposable = serveGraphQLWs(
    {
      schema,
      connectionInitWaitTimeout: limits.connectionInitTimeoutMs,
      onConnect: async (ctx) => {
        const { socket: ws, request } = ctx.extra;
        const client = { ipAddress: clientAddress(request, config.http.trustProxyHops), userAgent: request.headers["user-agent"]?.slice(0, 512) ?? null };
        const authorization = ctx.connectionParams?.authorization;
        if (authorization === undefined || authorization === null || authorization === "") {
          connections.set(ws, new SocketConnection(auth, client, null, null));
          return true;
        }
        const token = bearerToken(typeof authorization === "string" ? authorization : "invalid");
        let live: LiveSession;
        try {
          if (token === null) throw new AuthError("TOKEN_INVALID", "Invalid access token");
          live = await auth.openLiveSession(events, token);
        } catch (error) {
          if (error instanceof AuthError) {
            log.debug("socket refused", { reason: error.reason, detail: error.details.logDetail });
            return false; // graphql-ws closes with 4403 Forbidden
          }
          log.warn("socket authentication failed", { error });
          ws.close(SOCKET_CLOSE.TRY_AGAIN_LATER, "Try again later");
          return false;
        }
        if (ws.readyState !== ws.OPEN) {
          live.release(); // the client left while its token was checked
          return false;
        }
        if (!bind(live, ws)) {
          live.release();
          ws.close(SOCKET_CLOSE.TOO_MANY_SOCKETS, "Too many connections for this session");
          return false;
        }
        const connection = new SocketConnection(auth, client, token, live);
        connections.set(ws, connection);
        void live.ended.then(async (end) => {
          if (end.kind === "session-ended") await connection.sessionEndDelivered();
          ws.close(SOCKET_CLOSE.UNAUTHORIZED, end.kind === "session-ended" ? "Session ended" : "Access token expired");
        });
        return true;
      },
      onSubscribe: (ctx, id, payload) => {
        const connection = connections.get(ctx.extra.socket);
        if (!connection) return [socketError("Unauthorized", "UNAUTHENTICATED")];
        if (Object.keys(ctx.subscriptions).length > limits.maxSubscriptionsPerSocket) {
          return [socketError(`At most ${limits.maxSubscriptionsPerSocket} subscriptions per connection`, "BAD_REQUEST")];
        }
        const checked = checkOperation(payload);
        if (Array.isArray(checked)) return checked;
        // the context lives as long as the subscription: nothing in it is memoised, so every event reads afresh
        return { schema, ...checked, contextValue: connection.createContext(options.guardRules) };
      },
      // counted once subscribed (its guard passed or failed); onComplete follows every operation that got here
      onOperation: () => {
        operations += 1;
      },
      onComplete: () => {
        operations -= 1;
      },
      onNext: (_ctx, _id, _payload, _args, result) => {
        if (!result.errors) return undefined;
        return { ...result, errors: result.errors.map((error) => formatError(error.toJSON(), error)) };
      },
      onError: (_ctx, _id, _payload, errors): GraphQLFormattedError[] =>
        errors.map((error) => (error.extensions?.code ? error.toJSON() : formatError(error.toJSON(), error))),
      onClose: (ctx) => {
        connections.get(ctx.extra.socket)?.closeDown();
      },
    },
    wss,
    log,
    KEEP_ALIVE_MS,
  );

  return {
    get sockets() {
      return wss.clients.size;
    },
    get operations() {
      return operations;
    },
    async close() {
      closing = true;
      http.off("upgrade", onUpgrade);
      await disposable.dispose(); // closes every socket with 1001 "Going away"
    },
  };
}

function socketError(message: string, code: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code } });
}

function refuseUpgrade(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}
