import { StoreUnavailableError, createGuard } from "../../auth/ports/store.js";

// Prisma codes for "cannot reach / lost / timed out talking to the database" and pool timeouts.
const UNAVAILABLE_PRISMA_CODES = new Set(["P1001", "P1002", "P1008", "P1017", "P2024"]);
const UNAVAILABLE_SOCKET_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "ENOTFOUND", "EPIPE", "EHOSTUNREACH", "ENETUNREACH", "EAI_AGAIN"]);
// The MongoDB driver's own errors reach us as text (Prisma wraps them as P2010 "Raw query failed … Kind: …").
const UNAVAILABLE_MESSAGES =
  /Server selection timeout|No available servers|Kind: I\/O error|Connection refused|connection reset|connection closed|Can't reach database server|Timed out fetching a new connection|Unable to start a transaction in the given time/i;
// MongoDB's WriteConflict (code 112): another transaction wrote the same document first. Prisma reports it as
// P2034; the message forms cover the raw shapes it can take.
const WRITE_CONFLICT_MESSAGES = /WriteConflict|write conflict|TransientTransactionError|Code: `112`/i;

interface ErrorShape {
  code?: unknown;
  errorCode?: unknown;
  name?: unknown;
  message?: unknown;
  meta?: { target?: unknown };
  cause?: unknown;
}

/** `error`, then its causes, at most a few levels deep. */
function* chain(error: unknown): Generator<ErrorShape> {
  for (let current = error, depth = 0; current !== null && typeof current === "object" && depth < 6; depth++) {
    yield current as ErrorShape;
    current = (current as ErrorShape).cause;
  }
}

/** True when `error` (or one of its causes) says the database could not be reached or did not answer in time. */
export function isUnavailableError(error: unknown): boolean {
  for (const e of chain(error)) {
    if (e instanceof StoreUnavailableError) return true;
    for (const code of [e.code, e.errorCode]) {
      if (typeof code === "string" && (UNAVAILABLE_PRISMA_CODES.has(code) || UNAVAILABLE_SOCKET_CODES.has(code))) return true;
    }
    if (typeof e.message === "string" && UNAVAILABLE_MESSAGES.test(e.message)) return true;
  }
  return false;
}

/** True when a transaction lost a write conflict to another one and may simply be run again. */
export function isWriteConflict(error: unknown): boolean {
  for (const e of chain(error)) {
    if (e.code === "P2034") return true;
    if (typeof e.message === "string" && WRITE_CONFLICT_MESSAGES.test(e.message)) return true;
  }
  return false;
}

/**
 * The unique field a Prisma P2002 error collided on, or null when `error` is something else. On MongoDB the
 * target is the index name (users_email_key, users_username_key, see indexes.ts).
 */
export function uniqueViolationField(error: unknown): "email" | "username" | null {
  const e = error as ErrorShape | null;
  if (e === null || typeof e !== "object") return null;
  const duplicateKey = typeof e.message === "string" && /E11000|duplicate key/i.test(e.message);
  if (e.code !== "P2002" && !duplicateKey) return null;
  const target = e.meta?.target;
  const named = (Array.isArray(target) ? target : [target])
    .filter((value) => value !== undefined)
    .map(String)
    .join(",");
  const text = named !== "" ? named : String(e.message ?? "");
  if (text.includes("username")) return "username";
  if (text.includes("email")) return "email";
  return null;
}

/** Runs a database call, turning every connection failure into StoreUnavailableError. */
export const guard = createGuard(isUnavailableError);
