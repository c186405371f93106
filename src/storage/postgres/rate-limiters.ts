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
  log?: (message: string) => void;
}

/**
 * Limiters whose counters live in the app's PostgreSQL database (table `rate_limits`), so every API instance
 * on that database shares them. rate-limiter-flexible does each count in one atomic upsert. The pool is the
 * limiters' own (Prisma's adapter does not share its pool): a few connections, with short timeouts so an
 * outage is reported as SERVICE_UNAVAILABLE quickly.
 */
export function createPostgresRateLimiters(options: PostgresRateLimitersOptions): RateLimiterFactory {
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
  return createFlexibleRateLimiters(
    (options, purgesExpired) =>
      new RateLimiterPostgres({
        ...options,
        storeClient: pool,
        storeType: "pool",
        tableName: RATE_LIMIT_TABLE,
        tableCreated: true, // the migration owns the table
        clearExpiredByTimeout: purgesExpired,
      }),
    () => pool.end(),
  );
}
