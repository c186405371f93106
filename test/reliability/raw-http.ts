import { connect, type Socket } from "node:net";

/** A hand-driven HTTP/1.1 connection: write a request in pieces, read what comes back, see how it ends. */
export interface RawConnection {
  socket: Socket;
  /** Resolves once the socket is connected. */
  ready: Promise<void>;
  write(text: string): Promise<void>;
  /** Everything received so far. */
  received(): string;
  /** Resolves when the server has closed the connection: how, and all it received. */
  ended: Promise<{ reset: boolean; text: string }>;
}

/** Opens a raw TCP connection to 127.0.0.1:`port`. */
export function openRawConnection(port: number): RawConnection {
  const socket = connect(port, "127.0.0.1");
  let text = "";
  let reset = false;
  socket.setEncoding("utf8");
  socket.on("data", (chunk: string) => {
    text += chunk;
  });
  socket.on("error", () => {
    reset = true;
  });
  const ready = new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("error", reject);
  });
  const ended = new Promise<{ reset: boolean; text: string }>((resolve) => socket.once("close", () => resolve({ reset, text })));
  return {
    socket,
    ready,
    write: (chunk) => new Promise((resolve, reject) => socket.write(chunk, (error) => (error ? reject(error) : resolve()))),
    received: () => text,
    ended,
  };
}

/** The head and body of a JSON POST to /graphql, split where the caller wants to pause. */
export function graphqlPost(query: string): { head: string; body: string } {
  const body = JSON.stringify({ query });
  const head = `POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`;
  return { head, body };
}
