import type { Logger } from "../logger.js";
import type { NewAuditEvent, Store } from "./ports/store.js";
import { addressKey } from "./rate-limits.js";
import type { ClientInfo } from "./principal.js";

/**
 * Attempts refused by a rate limit (429), counted rather than recorded one by one: an attacker gets a row per
 * account and address per minute at most, not a row per request, and never more than a fixed number per minute.
 */
export interface RefusedAttempts {
  /** Counts one refused attempt at `type` (e.g. LOGIN) of the account (null: unknown, or not read yet) from `client`. */
  count(type: string, userId: string | null, client: ClientInfo): void;
  /** Writes the counts so far as audit events (one per account and address). */
  flush(): Promise<void>;
  /** Flushes and stops the timer. */
  stop(): Promise<void>;
}

const FLUSH_INTERVAL_MS = 60_000;
/** Distinct (account, address) rows per flush; the rest fold into one row per type. */
const MAX_ROWS_PER_FLUSH = 100;

interface Bucket {
  type: string;
  userId: string | null;
  ipAddress: string | null;
  userAgent: string | null;
  count: number;
  first: Date;
  last: Date;
}

/** Counts refused attempts in memory and writes them once a minute (and at shutdown) as FAILURE audit events. */
export function createRefusedAttempts(options: { store: Store; log: Logger; now: () => Date; flushIntervalMs?: number }): RefusedAttempts {
  let buckets = new Map<string, Bucket>();
  let overflow = new Map<string, Bucket>();

  const flush = async () => {
    if (buckets.size === 0 && overflow.size === 0) return;
    const rows = [...buckets.values(), ...overflow.values()];
    buckets = new Map();
    overflow = new Map();
    const events: NewAuditEvent[] = rows.map((bucket) => ({
      type: bucket.type,
      outcome: "FAILURE",
      userId: bucket.userId,
      sessionId: null,
      actorId: null,
      ipAddress: bucket.ipAddress,
      userAgent: bucket.userAgent,
      detail: { reason: "rate limited", refusedAttempts: bucket.count, from: bucket.first.toISOString(), to: bucket.last.toISOString() },
      createdAt: bucket.last,
    }));
    try {
      await options.store.appendAuditEvents(events);
    } catch (error) {
      options.log.warn("could not write the counts of refused attempts", {
        rows: events.length,
        refused: rows.reduce((n, b) => n + b.count, 0),
        error: (error as Error).message,
      });
    }
  };
  const timer = setInterval(() => void flush(), options.flushIntervalMs ?? FLUSH_INTERVAL_MS).unref();

  return {
    count(type, userId, client) {
      const now = options.now();
      // one client per /64 for IPv6, as the limits count them
      const key = `${type}|${userId ?? ""}|${addressKey(client.ipAddress)}`;
      let bucket = buckets.get(key);
      if (!bucket && buckets.size >= MAX_ROWS_PER_FLUSH) {
        // a storm from rotating addresses: one row for all the others, without an address
        bucket = overflow.get(type);
        if (!bucket) overflow.set(type, (bucket = { type, userId: null, ipAddress: null, userAgent: null, count: 0, first: now, last: now }));
      }
      if (!bucket) buckets.set(key, (bucket = { type, userId, ipAddress: client.ipAddress, userAgent: client.userAgent, count: 0, first: now, last: now }));
      bucket.count += 1;
      bucket.last = now;
    },
    flush,
    async stop() {
      clearInterval(timer);
      await flush();
    },
  };
}
