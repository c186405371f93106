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
 */
export async function readJsonBody(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  const declared = Number(req.headers["content-length"] ?? 0);
  if (declared > maxBytes) throw new HttpError(413, `Request body must be at most ${maxBytes} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > maxBytes) throw new HttpError(413, `Request body must be at most ${maxBytes} bytes`);
      chunks.push(chunk);
    }
  } catch (error) {
    throw error instanceof HttpError ? error : new ClientGoneError(error);
  }
  if (size === 0 || !isJsonContentType(req.headers["content-type"])) return undefined;
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    throw new HttpError(400, "Request body is not valid JSON");
  }
}

/** application/json, or a +json type (application/graphql-response+json), with any parameters. */
export function isJsonContentType(header: string | undefined): boolean {
  const type = header?.split(";")[0]?.trim().toLowerCase() ?? "";
  return type === "application/json" || /^application\/[a-z0-9.+-]+\+json$/.test(type);
}
