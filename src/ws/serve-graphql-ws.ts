import { CloseCode, handleProtocols, makeServer, type ConnectionInitMessage, type ServerOptions } from "graphql-ws";
import type { IncomingMessage } from "node:http";
import type { WebSocket, WebSocketServer } from "ws";
import type { Logger } from "../logger.js";

/** What graphql-ws hands every hook about the socket (`ctx.extra`). */
export interface SocketExtra {
  readonly socket: WebSocket;
  readonly request: IncomingMessage;
}

/** The options of serveGraphQLWs: graphql-ws's own, over `ws` sockets. */
export type SocketServerOptions = ServerOptions<ConnectionInitMessage["payload"], SocketExtra>;

/**
 * graphql-ws's protocol server over the sockets of a `ws` server, as `graphql-ws/use/ws` does, except that socket
 * errors go to our logger (a client's oversized message is the client's fault, not an operator's concern) instead
 * of the console, and every socket gets a keep-alive ping so dead peers are dropped.
 */
export function serveGraphQLWs(options: SocketServerOptions, wss: WebSocketServer, log: Logger, keepAliveMs: number): { dispose(): Promise<void> } {
  const server = makeServer(options);
  wss.options.handleProtocols = handleProtocols;

  wss.on("connection", (socket: WebSocket, request: IncomingMessage) => {
    socket.once("error", (error) => {
      // ws has already started closing (1009 for a message over maxPayload); otherwise end it here
      log.debug("WebSocket error; closing the socket", { error: error.message });
      if (socket.readyState === socket.OPEN) socket.close(CloseCode.InternalServerError, "Internal server error");
    });
    let alive = true;
    socket.on("pong", () => (alive = true));
    const keepAlive = setInterval(() => {
      if (!alive) return void socket.terminate();
      alive = false;
      socket.ping();
    }, keepAliveMs);

    const closed = server.opened(
      {
        protocol: socket.protocol,
        send: (data) =>
          new Promise<void>((resolve, reject) => {
            if (socket.readyState !== socket.OPEN) return resolve();
            socket.send(data, (error) => (error ? reject(error) : resolve()));
          }),
        close: (code, reason) => socket.close(code, reason),
        onMessage: (handle) =>
          socket.on("message", async (data) => {
            try {
              await handle(String(data));
            } catch (error) {
              log.error("WebSocket message handling failed", { error });
              socket.close(CloseCode.InternalServerError, "Internal server error");
            }
          }),
      },
      { socket, request },
    );
    socket.once("close", (code, reason) => {
      clearInterval(keepAlive);
      closed(code, String(reason)).catch((error: unknown) => log.error("WebSocket close handling failed", { error }));
    });
  });

  return {
    async dispose() {
      for (const client of wss.clients) client.close(1001, "Going away");
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
