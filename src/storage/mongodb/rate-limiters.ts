import { RateLimiterPrisma } from "rate-limiter-flexible";
import type { RateLimiterFactory } from "../../auth/rate-limits.js";
import { createFlexibleRateLimiters } from "../flexible-rate-limiter.js";

/**
 * Limiters whose counters live, through Prisma, in the app's own database (model `RateLimit`, collection
 * `rate_limits`): used for MongoDB, where rate-limiter-flexible's own Mongo store would need a second driver.
 * Each count is an upsert with an increment, so concurrent attempts are all counted. The parameter is typed by
 * the accessor the library uses, so the type-check proves the generated client has the model.
 */
export function createPrismaRateLimiters(prisma: { rateLimit: unknown }): RateLimiterFactory {
  return createFlexibleRateLimiters(
    (options, purgesExpired) =>
      new RateLimiterPrisma({
        ...options,
        storeClient: prisma,
        tableName: "rateLimit", // the client's accessor for model RateLimit
        clearExpiredByTimeout: purgesExpired,
      }),
    // the Prisma client is the store's, closed with it
    async () => {},
  );
}
