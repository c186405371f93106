import { RateLimiterPrisma } from "rate-limiter-flexible";
import type { RateLimiterFactory } from "../auth/rate-limits.js";
import { adaptFlexibleLimiter } from "./flexible-rate-limiter.js";

/**
 * Limiters whose counters live, through Prisma, in the app's own database (model `RateLimit`, collection
 * `rate_limits`): used for MongoDB, where rate-limiter-flexible's own Mongo store would need a second driver.
 * Each count is an upsert with an increment, so concurrent attempts are all counted.
 */
// typed by the accessor the library uses, so the type-check proves the generated client has the model
export function createPrismaRateLimiters(prisma: { rateLimit: unknown }): RateLimiterFactory {
  let created = 0;
  return {
    create(rule) {
      const limiter = new RateLimiterPrisma({
        storeClient: prisma,
        tableName: "rateLimit", // the client's accessor for model RateLimit
        // one limiter is enough to purge rows expired for an hour, for all of them (they share the collection)
        clearExpiredByTimeout: created++ === 0,
        keyPrefix: rule.name,
        points: rule.points,
        duration: rule.durationSeconds,
        blockDuration: rule.blockSeconds,
      });
      return adaptFlexibleLimiter(limiter);
    },
    // the Prisma client is the store's, closed with it
    close: async () => {},
  };
}
