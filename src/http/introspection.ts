import type { IncomingMessage, ServerResponse } from "node:http";
import type { Auth } from "../auth/auth.js";
import { AuthError } from "../auth/errors.js";
import type { ClientInfo } from "../auth/principal.js";
import { addressKey, type RateLimiter } from "../auth/rate-limits.js";
import type { IntrospectionClient } from "../config.js";
import { StoreUnavailableError } from "../auth/ports/store.js";
import { matchesSecret, secretDigest } from "./secret-digest.js";

const MAX_BODY_BYTES = 8_192;
const RETRY_AFTER_SECONDS = 5;

/** What the introspection endpoint needs; `failures` counts failed client authentications (none: unlimited). */
export interface IntrospectionOptions {
  auth: Auth;
  clients: readonly IntrospectionClient[];
  failures?: RateLimiter;
}

/** What the HTTP server hands a route: the caller's address (trusted proxies applied). */
export interface RouteTools {
  client: ClientInfo;
}

/**
 * `POST /oauth2/introspect` (RFC 7662) for other services: HTTP Basic client authentication against
 * INTROSPECTION_CLIENTS, then the same per-request check as `me` (through the shared batched lookup), so
 * a session ended on any instance is inactive at once. An inactive token is `{"active":false}` and nothing
 * else: the caller never learns why.
 */
export function createIntrospectionHandler(options: IntrospectionOptions) {
  const secrets = new Map(options.clients.map((client) => [client.id, secretDigest(client.secret)]));
  const unknownClient = secretDigest("no such client");

  const authenticateClient = (header: string | undefined): boolean => {
    const credentials = parseBasic(header);
    const expected = (credentials && secrets.get(credentials.id)) ?? unknownClient;
    // compare digests of equal length, also for an unknown id, so timing tells nothing about the secret
    return matchesSecret(credentials?.secret ?? "", expected) && credentials !== null && secrets.has(credentials.id);
  };

  return async (req: IncomingMessage, res: ServerResponse, tools: RouteTools): Promise<void> => {
    if (req.method !== "POST") {
      res.setHeader("allow", "POST");
      return send(res, 405, { error: "invalid_request" });
    }
    const key = addressKey(tools.client.ipAddress);
    try {
      const verdict = await options.failures?.peek(key);
      if (verdict && !verdict.ok) {
        res.setHeader("retry-after", String(verdict.retryAfterSeconds));
        return send(res, 429, { error: "too_many_requests" });
      }
      if (!authenticateClient(req.headers.authorization)) {
        await options.failures?.consume(key);
        res.setHeader("www-authenticate", 'Basic realm="introspection", charset="UTF-8"');
        return send(res, 401, { error: "invalid_client" });
      }
      const token = await readTokenParameter(req);
      if (token === null) return send(res, 400, { error: "invalid_request" });
      return send(res, 200, await introspect(options.auth, token));
    } catch (error) {
      if (!(error instanceof StoreUnavailableError)) throw error;
      res.setHeader("retry-after", String(RETRY_AFTER_SECONDS));
      return send(res, 503, { error: "temporarily_unavailable" });
    }
  };
}

/** The RFC 7662 answer for one token: its claims when the per-request check accepts it, else inactive. */
export async function introspect(auth: Auth, token: string): Promise<Record<string, unknown>> {
  let principal;
  try {
    principal = await auth.authenticate(token);
  } catch (error) {
    if (error instanceof AuthError) return { active: false };
    throw error;
  }
  const claims = decodePayload(token);
  return {
    active: true,
    sub: principal.user.id,
    sid: principal.session.id,
    exp: claims.exp,
    iat: claims.iat,
    iss: claims.iss,
    aud: claims.aud,
    token_type: "access_token",
    username: principal.user.username ?? null,
    email: principal.user.email,
    roles: principal.user.roles,
  };
}

/** The payload of a token that authenticate() has just verified. */
function decodePayload(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8")) as Record<string, unknown>;
}

/** `Basic base64(id:secret)`, each part form-urlencoded as RFC 6749 §2.3.1 says; null when malformed. */
function parseBasic(header: string | undefined): { id: string; secret: string } | null {
  const match = header ? /^Basic[ ]+([A-Za-z0-9+/=]+)\s*$/i.exec(header) : null;
  if (!match?.[1]) return null;
  const decoded = Buffer.from(match[1], "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon <= 0) return null;
  try {
    const formDecode = (part: string) => decodeURIComponent(part.replace(/\+/g, " "));
    return { id: formDecode(decoded.slice(0, colon)), secret: formDecode(decoded.slice(colon + 1)) };
  } catch {
    return null;
  }
}

/** The `token` parameter of a form-encoded body; null when absent, too large or not a form. */
async function readTokenParameter(req: IncomingMessage): Promise<string | null> {
  const type = req.headers["content-type"]?.split(";")[0]?.trim().toLowerCase();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return null;
    chunks.push(chunk);
  }
  if (type !== "application/x-www-form-urlencoded") return null;
  const token = new URLSearchParams(Buffer.concat(chunks).toString("utf8")).get("token");
  return token ? token : null;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store", pragma: "no-cache" });
  res.end(JSON.stringify(body));
}
