import pg from "pg";
import { RateLimiterPostgres } from "rate-limiter-flexible";
import type { RateLimiterFactory } from "../../auth/rate-limits.js";
import { createFlexibleRateLimiters } from "../flexible-rate-limiter.js";

/** The table of migration 20261201000000_rate_limits, in rate-limiter-flexible's own layout. */
export const RATE_LIMIT_TABLE = "rate_limits";

/** Options of createPostgresRateLimiters. */
export interface PostgresRateLimitersOptions {
  url: string;
  /** Connections of the limiters' own small pool. */
  poolSize?: number;
  connectTimeoutMs?: number;
  /** How often expired counters are deleted; default one minute. */
  purgeIntervalMs?: number;
  log?: (message: string) => void;
}

/**
 * Limiters whose counters live in the app's PostgreSQL database (table `rate_limits`), so every API instance
 * on that database shares them. rate-limiter-flexible does each count in one atomic upsert. The pool is the
 * limiters' own (Prisma's adapter does not share its pool): a few connections, with short timeouts so an
 * outage is reported as SERVICE_UNAVAILABLE quickly. Expired counters are deleted every minute (the library's own
 * purge kept them an hour past expiry, which let a storm of rotating addresses pile up rows).
 */
export function createPostgresRateLimiters(options: PostgresRateLimitersOptions): RateLimiterFactory & { purgeExpired(): Promise<number> } {
  const log = options.log ?? (() => undefined);
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize ?? 4,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 3_000,
    idleTimeoutMillis: 30_000,
    query_timeout: 3_000,
  });
  // An idle connection dropped by the server (restart, outage) must not crash the process.
  pool.on("error", (error) => log(`rate limiter pool: idle connection error: ${error.message}`));
  const purgeExpired = async (): Promise<number> => {
    let deleted = 0;
    for (;;) {
      // in batches, so a purge after a storm never holds one long transaction
      const { rowCount } = await pool.query({ ...PURGE_EXPIRED, values: [Date.now(), PURGE_BATCH] });
      deleted += rowCount ?? 0;
      if ((rowCount ?? 0) < PURGE_BATCH) return deleted;
    }
  };
  const timer = setInterval(() => {
    purgeExpired().catch((error: Error) => log(`rate limiter purge failed (retried in a minute): ${error.message}`));
  }, options.purgeIntervalMs ?? PURGE_INTERVAL_MS).unref();
  const factory = createFlexibleRateLimiters(
    (options) =>
      new RateLimiterPostgres({
        ...options,
        storeClient: pool,
        storeType: "pool",
        tableName: RATE_LIMIT_TABLE,
        tableCreated: true, // the migration owns the table
        clearExpiredByTimeout: false, // the purge above, every minute rather than an hour after expiry
      }),
    async () => {
      clearInterval(timer);
      await pool.end();
    },
  );
  return { ...factory, purgeExpired };
}

// An expired counter means nothing to rate-limiter-flexible (its upsert starts a fresh one), so it can go at once.
const PURGE_EXPIRED = {
  name: "rate-limits-purge-expired",
  text: `DELETE FROM ${RATE_LIMIT_TABLE} WHERE key IN (SELECT key FROM ${RATE_LIMIT_TABLE} WHERE expire < $1 LIMIT $2)`,
};
const PURGE_BATCH = 10_000;
const PURGE_INTERVAL_MS = 60_000;
