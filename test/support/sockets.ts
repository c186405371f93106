import type { FormattedExecutionResult as GraphQLResult } from "graphql";
import { createClient, type Client } from "graphql-ws";
import WebSocket from "ws";

type FormattedExecutionResult = GraphQLResult<Record<string, unknown>, unknown>;

/** How a socket closed, as its client saw it. */
export interface SocketClose {
  code: number;
  reason: string;
}

/** A graphql-ws client over `ws`, as a Node or browser app would use it, with what happened to it. */
export interface TestSocket {
  client: Client;
  /** Settles when the server acknowledged `connection_init`. */
  connected: Promise<void>;
  /** Settles when the socket closed, with its code. */
  closed: Promise<SocketClose>;
  /** Starts an operation; `results` fills as events arrive, `done` settles when it completes or fails. */
  subscribe(query: string): TestSubscription;
  dispose(): Promise<void>;
}

/** One operation on a TestSocket. */
export interface TestSubscription {
  results: FormattedExecutionResult[];
  /** The first result (an event, or the errors of a refused subscription). */
  first: Promise<FormattedExecutionResult>;
  done: Promise<{ error?: unknown }>;
}

/** Opens a socket to `wsUrl` with `{ authorization: "Bearer <token>" }` (or none); it never reconnects. */
export function openSocket(wsUrl: string, token?: string, options: { headers?: Record<string, string> } = {}): TestSocket {
  let onConnected!: () => void;
  let onClosed!: (close: SocketClose) => void;
  const connected = new Promise<void>((resolve) => (onConnected = resolve));
  const closed = new Promise<SocketClose>((resolve) => (onClosed = resolve));
  class HeaderSocket extends WebSocket {
    constructor(address: string, protocols?: string | string[]) {
      super(address, protocols, { headers: options.headers });
    }
  }
  const client = createClient({
    url: wsUrl,
    webSocketImpl: options.headers ? HeaderSocket : WebSocket,
    lazy: false,
    retryAttempts: 0,
    connectionParams: token === undefined ? {} : { authorization: `Bearer ${token}` },
    on: {
      connected: () => onConnected(),
      closed: (event) => {
        const { code, reason } = event as { code: number; reason: string };
        onClosed({ code, reason: String(reason) });
      },
    },
    onNonLazyError: () => undefined, // the close is what the tests look at
  });
  return {
    client,
    connected,
    closed,
    subscribe(query) {
      const results: FormattedExecutionResult[] = [];
      let onFirst!: (result: FormattedExecutionResult) => void;
      const first = new Promise<FormattedExecutionResult>((resolve) => (onFirst = resolve));
      const done = new Promise<{ error?: unknown }>((resolve) => {
        client.subscribe(
          { query },
          {
            next: (result) => {
              results.push(result);
              onFirst(result);
            },
            error: (error) => resolve({ error }),
            complete: () => resolve({}),
          },
        );
      });
      return { results, first, done };
    },
    dispose: () => client.dispose() as Promise<void>,
  };
}

/** Rejects when `ms` pass first: the bound a test promises (a generous one, never a measurement). */
export function before<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

/** The query the frontend runs: its session's end, with the final status. */
export const SESSION_ENDED = "subscription { sessionEnded { id status } }";
