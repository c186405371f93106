import type { IncomingMessage, ServerResponse } from "node:http";

const ALLOWED_METHODS = "GET, POST, OPTIONS";
const ALLOWED_HEADERS = "authorization, content-type, apollo-require-preflight, x-apollo-operation-name";
const PREFLIGHT_MAX_AGE_SECONDS = 600;

/**
 * CORS for browser clients on other origins. Only the configured origins get an Access-Control-Allow-Origin
 * (echoed, with `Vary: Origin`); `*` allows any origin but is never combined with credentials. The API
 * authenticates with the Authorization header, not cookies, so it never sends Allow-Credentials at all.
 * Returns true when the request was a preflight and has been answered.
 */
export function applyCors(req: IncomingMessage, res: ServerResponse, allowedOrigins: readonly string[]): boolean {
  const origin = req.headers.origin;
  res.setHeader("vary", "Origin");
  const allowed = origin !== undefined && (allowedOrigins.includes("*") || allowedOrigins.includes(origin));
  if (allowed) res.setHeader("access-control-allow-origin", allowedOrigins.includes("*") ? "*" : origin);
  if (req.method !== "OPTIONS") return false;
  if (allowed) {
    res.setHeader("access-control-allow-methods", ALLOWED_METHODS);
    res.setHeader("access-control-allow-headers", ALLOWED_HEADERS);
    res.setHeader("access-control-max-age", String(PREFLIGHT_MAX_AGE_SECONDS));
  }
  // a refused origin gets no Allow-* headers, and the browser stops there
  res.writeHead(204, { allow: ALLOWED_METHODS });
  res.end();
  return true;
}
