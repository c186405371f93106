import type { IncomingMessage } from "node:http";

/** A request the HTTP layer refuses before GraphQL sees it. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "HttpError";
  }
}

/** The client went away (reset, or Node's request timeout destroyed a stalled body) before its body was read. */
export class ClientGoneError extends Error {
  constructor(cause: unknown) {
    super("client went away before sending the whole body", { cause });
    this.name = "ClientGoneError";
  }
}

/**
 * Reads a JSON body of at most `maxBytes`; refuses larger bodies without buffering them. A body of another
 * content type is read (within the limit) but not parsed: GraphQL then refuses it as missing, with a 400.
 * Plain stream events rather than `for await`: the async iterator cost a few microseconds per request. @see issue 17
 */
export function readJsonBody(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  const declared = Number(req.headers["content-length"] ?? 0);
  if (declared > maxBytes) return Promise.reject(tooLarge(maxBytes));
  if (req.destroyed) return Promise.reject(new ClientGoneError(new Error("connection closed before the body was read")));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("close", onClose);
      outcome();
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) settle(() => reject(tooLarge(maxBytes)));
      else chunks.push(chunk);
    };
    const onEnd = () => settle(() => (size === 0 ? resolve(undefined) : parseJson(req, chunks, size, resolve, reject)));
    const onClose = () => settle(() => reject(new ClientGoneError(new Error("connection closed mid-body"))));
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("close", onClose);
    // stays attached once settled: an error after the answer (a reset mid-dump) must not go unhandled
    req.on("error", (error) => settle(() => reject(new ClientGoneError(error))));
  });
}

function parseJson(req: IncomingMessage, chunks: Buffer[], size: number, resolve: (value: unknown) => void, reject: (error: unknown) => void): void {
  if (!isJsonContentType(req.headers["content-type"])) return resolve(undefined);
  try {
    resolve(JSON.parse((chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)).toString("utf8")));
  } catch {
    reject(new HttpError(400, "Request body is not valid JSON"));
  }
}

function tooLarge(maxBytes: number): HttpError {
  return new HttpError(413, `Request body must be at most ${maxBytes} bytes`);
}

/** application/json, or a +json type (application/graphql-response+json), with any parameters. */
export function isJsonContentType(header: string | undefined): boolean {
  if (header === "application/json") return true;
  const type = header?.split(";")[0]?.trim().toLowerCase() ?? "";
  return type === "application/json" || /^application\/[a-z0-9.+-]+\+json$/.test(type);
}
