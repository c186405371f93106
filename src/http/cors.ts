import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "../logger.js";

const ALLOWED_METHODS = "GET, POST, OPTIONS";
const EXPOSED_HEADERS = "retry-after, www-authenticate";
const PREFLIGHT_MAX_AGE_SECONDS = 600;
const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);
// enough to name every origin a developer tries; past it, refusals are no longer logged (no log flooding)
const MAX_LOGGED_REFUSALS = 100;

/** Which browser origins may call the API. */
export interface CorsSettings {
  /** Exact origins (`scheme://host:port`), or ["*"] for any. */
  origins: readonly string[];
  /** Loopback origins on any port too (development). */
  allowLoopback: boolean;
  /** Request headers a preflight allows. */
  allowedHeaders: readonly string[];
}

/** The CORS policy of one server: the origin check (shared with the WebSocket endpoint) and the HTTP headers. */
export interface Cors {
  isOriginAllowed(origin: string): boolean;
  /** Sets the CORS headers of a response; answers a preflight itself and returns true when it was one. */
  apply(req: IncomingMessage, res: ServerResponse): boolean;
}

/**
 * CORS for browser clients on other origins. An allowed origin is echoed (with `Vary: Origin`); `*` allows any.
 * The API authenticates with the Authorization header, not cookies, so it never sends Allow-Credentials.
 * A refused origin is logged once, naming the setting that would allow it.
 */
export function createCors(settings: CorsSettings, log: Logger): Cors {
  const anyOrigin = settings.origins.includes("*");
  const allowedHeaders = settings.allowedHeaders.join(", ");
  const refusalsLogged = new Set<string>();

  function isOriginAllowed(origin: string): boolean {
    return anyOrigin || settings.origins.includes(origin) || (settings.allowLoopback && isLoopbackOrigin(origin));
  }

  function logRefusal(origin: string): void {
    if (refusalsLogged.has(origin) || refusalsLogged.size >= MAX_LOGGED_REFUSALS) return;
    refusalsLogged.add(origin);
    log.warn("CORS: refused a browser origin; add it to CORS_ORIGINS to allow it", { origin: origin.slice(0, 200) });
  }

  return {
    isOriginAllowed,
    apply(req, res) {
      const origin = req.headers.origin;
      res.setHeader("vary", "Origin");
      const allowed = origin !== undefined && isOriginAllowed(origin);
      if (allowed) {
        res.setHeader("access-control-allow-origin", anyOrigin ? "*" : origin);
        res.setHeader("access-control-expose-headers", EXPOSED_HEADERS);
      } else if (origin !== undefined) {
        logRefusal(origin);
      }
      if (req.method !== "OPTIONS") return false;
      if (allowed) {
        res.setHeader("access-control-allow-methods", ALLOWED_METHODS);
        res.setHeader("access-control-allow-headers", allowedHeaders);
        res.setHeader("access-control-max-age", String(PREFLIGHT_MAX_AGE_SECONDS));
      }
      // a refused origin gets no Allow-* headers, and the browser stops there
      res.writeHead(204, { allow: ALLOWED_METHODS });
      res.end();
      return true;
    },
  };
}

function isLoopbackOrigin(origin: string): boolean {
  try {
    const url = new URL(origin);
    return (url.protocol === "http:" || url.protocol === "https:") && LOOPBACK_HOSTS.has(url.hostname) && url.origin === origin;
  } catch {
    return false;
  }
}
