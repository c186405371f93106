import { StoreUnavailableError, createGuard } from "../../auth/ports/store.js";

// Prisma codes for "cannot reach / lost / timed out talking to the database", and pool or transaction start timeouts.
const UNAVAILABLE_PRISMA_CODES = new Set(["P1001", "P1002", "P1008", "P1011", "P1017", "P2024"]);
// Driver adapter error kinds (@prisma/driver-adapter-utils) that mean the same.
const UNAVAILABLE_ADAPTER_KINDS = new Set(["DatabaseNotReachable", "ConnectionClosed", "SocketTimeout", "TlsConnectionError", "TooManyConnections"]);
const UNAVAILABLE_SOCKET_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "ETIMEDOUT",
  "ENOTFOUND",
  "EPIPE",
  "EHOSTUNREACH",
  "EHOSTDOWN",
  "ENETUNREACH",
  "ENETDOWN",
  "EADDRNOTAVAIL",
  "EAI_AGAIN",
]);
// SQLSTATE classes 08 (connection exception), 57P0x (server shutting down / cannot connect now), 53300 (too many
// connections), 57014 (statement cancelled: the store's statement_timeout, the database did not answer in time).
const UNAVAILABLE_SQLSTATE = /^(08...|57P0[1-4]|57014|53300)$/;
// pg errors without a code (also raised by the store's own queries on the pool, which Prisma does not wrap): pool
// connect timeout, socket closed mid-query or between the queries of a transaction, query_timeout.
const UNAVAILABLE_MESSAGES = [
  "timeout exceeded when trying to connect",
  "Connection terminated",
  "Client has encountered a connection error",
  "Client was closed and is not queryable",
  "Query read timeout",
  "Unable to start a transaction in the given time",
  "Can't reach database server",
];

/** True when `error` (or one of its causes) says the database could not be reached or did not answer in time. */
export function isUnavailableError(error: unknown): boolean {
  for (let current = error, depth = 0; current !== null && typeof current === "object" && depth < 6; depth++) {
    const e = current as { code?: unknown; name?: unknown; message?: unknown; cause?: unknown; kind?: unknown; originalCode?: unknown; errors?: unknown };
    if (e instanceof StoreUnavailableError) return true;
    if (e.name === "PrismaClientInitializationError") return true;
    if (typeof e.code === "string" && (UNAVAILABLE_PRISMA_CODES.has(e.code) || UNAVAILABLE_SOCKET_CODES.has(e.code) || UNAVAILABLE_SQLSTATE.test(e.code))) {
      return true;
    }
    if (typeof e.kind === "string" && UNAVAILABLE_ADAPTER_KINDS.has(e.kind)) return true;
    if (typeof e.originalCode === "string" && UNAVAILABLE_SQLSTATE.test(e.originalCode)) return true;
    if (typeof e.message === "string" && UNAVAILABLE_MESSAGES.some((text) => (e.message as string).includes(text))) return true;
    // Node's AggregateError of a connect that tried several addresses (localhost: ::1 and 127.0.0.1)
    if (Array.isArray(e.errors) && e.errors.length > 0 && e.errors.every((inner) => isUnavailableError(inner))) return true;
    current = e.cause;
  }
  return false;
}

/** The unique field a Prisma P2002 error collided on, or null when `error` is something else. */
export function uniqueViolationField(error: unknown): "email" | "username" | null {
  const e = error as { code?: unknown; meta?: { target?: unknown; driverAdapterError?: { cause?: { constraint?: { fields?: unknown } } } } };
  if (e === null || typeof e !== "object" || e.code !== "P2002") return null;
  const target = e.meta?.target ?? e.meta?.driverAdapterError?.cause?.constraint?.fields;
  const fields = (Array.isArray(target) ? target : [target]).map(String).join(",");
  if (fields.includes("username")) return "username";
  if (fields.includes("email")) return "email";
  return null;
}

/** Runs a database call, turning every connection failure into StoreUnavailableError. */
export const guard = createGuard(isUnavailableError);
