import { Server as NetServer, type Socket } from "node:net";
import { ServerResponse, type IncomingMessage, type Server } from "node:http";

/** Closes something the HTTP server carries besides requests (subscription sockets: close them with 1001). */
export type ShutdownCloser = () => Promise<void> | void;

/** What an HTTP server needs to stop without dropping a request it has already been sent. */
export interface GracefulShutdown {
  /** True from the first moment of shutdown: /readyz answers 503 and every response says `Connection: close`. */
  readonly draining: boolean;
  /** Registers a closer run once HTTP requests have drained (or the deadline is near), before the server stops. */
  addCloser(closer: ShutdownCloser): void;
  /** Drains within `deadlineMs`, then closes whatever is left; resolves when every connection is gone. */
  shutdown(deadlineMs: number): Promise<void>;
}

const IDLE_SWEEP_INTERVAL_MS = 50;

/**
 * The ServerResponse class for `http.createServer({ ServerResponse })`: while the server drains, every response
 * (whatever path writes it, Apollo's included) carries `Connection: close`, so its connection closes after it.
 */
export function drainAwareResponse(isDraining: () => boolean): typeof ServerResponse {
  return class DrainAwareResponse<Request extends IncomingMessage = IncomingMessage> extends ServerResponse<Request> {
    // biome-ignore lint/suspicious/noExplicitAny: forwards both overloads of writeHead unchanged
    override writeHead(statusCode: number, ...rest: any[]): this {
      if (isDraining() && !this.headersSent) this.setHeader("connection", "close");
      return super.writeHead(statusCode, ...(rest as [])) as this;
    }
  } as typeof ServerResponse;
}

/**
 * Graceful shutdown for a node:http server that Node 20's `server.close()` does not give: `close()` destroys at
 * once every connection without a parsed request, which includes requests already sent but still in the socket
 * buffer (they were reset), and connections busy at that moment later go idle and stay open for the keep-alive
 * timeout. Here: readiness fails and responses say `Connection: close` at once; the process reads what is already
 * in its sockets before it stops accepting; connections are closed as they go idle; requests in flight finish;
 * closers run; and at the deadline everything left is destroyed.
 */
export function createGracefulShutdown(http: Server, state: { draining: boolean }): GracefulShutdown {
  const sockets = new Set<Socket>();
  let inFlight = 0;
  const closers: ShutdownCloser[] = [];
  let stopping: Promise<void> | undefined;

  http.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  http.on("request", (_req: IncomingMessage, res: ServerResponse) => {
    inFlight += 1;
    res.once("close", () => {
      inFlight -= 1;
    });
  });

  const run = async (deadlineMs: number): Promise<void> => {
    const deadline = Date.now() + deadlineMs;
    const remaining = () => Math.max(deadline - Date.now(), 0);
    state.draining = true;
    // One turn of the event loop with an I/O poll: connections waiting in the accept queue are accepted and
    // requests sitting in socket buffers are parsed, so they count as in flight rather than as idle.
    await new Promise((resolve) => setTimeout(resolve, 0));
    await new Promise((resolve) => setImmediate(resolve));
    // net's close, not http's: http's would first destroy "idle" connections, the very race avoided above
    const allClosed = new Promise<void>((resolve) => NetServer.prototype.close.call(http, () => resolve()));

    await until(
      () => inFlight === 0,
      remaining,
      () => http.closeIdleConnections(),
    );
    http.closeIdleConnections();
    for (const closer of closers) {
      await Promise.race([
        Promise.resolve()
          .then(closer)
          .catch(() => undefined),
        sleep(remaining()),
      ]);
    }
    const timedOut = await Promise.race([allClosed.then(() => false), sleep(remaining()).then(() => true)]);
    if (timedOut) {
      http.closeAllConnections();
      for (const socket of sockets) socket.destroy();
      await allClosed;
    }
    // clears the server's request-timeout timer; the listener is already closed, hence the ignored error
    http.close(() => undefined);
  };

  return {
    get draining() {
      return state.draining;
    },
    addCloser(closer) {
      closers.push(closer);
    },
    shutdown(deadlineMs) {
      stopping ??= run(deadlineMs);
      return stopping;
    },
  };
}

/** Resolves when `done()` holds or no time remains, calling `tick` between checks. */
async function until(done: () => boolean, remaining: () => number, tick: () => void): Promise<void> {
  while (!done() && remaining() > 0) {
    tick();
    await sleep(Math.min(IDLE_SWEEP_INTERVAL_MS, remaining()));
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
