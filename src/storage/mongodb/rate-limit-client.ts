import type { Prisma, PrismaClient } from "../../generated/mongodb/client.js";
import { isWriteConflict } from "./errors.js";

/** What RateLimiterPrisma uses of the `rateLimit` model (src/security/prisma-rate-limiters.ts). */
export interface RateLimitModel {
  upsert(args: Prisma.RateLimitUpsertArgs): Promise<unknown>;
  deleteMany(args: Prisma.RateLimitDeleteManyArgs): Promise<{ count: number }>;
  findFirst(args: Prisma.RateLimitFindFirstArgs): Promise<unknown>;
}

/** A duplicate `_id` (P2002 / E11000): two first attempts of one key both inserted its counter. */
function isDuplicateKey(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown } | null;
  return e !== null && typeof e === "object" && (e.code === "P2002" || (typeof e.message === "string" && /E11000/.test(e.message)));
}

/** Runs `operation`, and once more if it lost a race (a duplicate key or a write conflict). */
export async function retryLostRaceOnce<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    if (!isDuplicateKey(error) && !isWriteConflict(error)) throw error;
    return operation();
  }
}

/**
 * The `rate_limits` model for rate-limiter-flexible, each write run once more after a lost race: Prisma's
 * MongoDB `upsert` finds and then inserts, so two first attempts of one key race on the insert and the loser
 * gets P2002 (run again, it finds the counter and increments it), and a busy counter may lose a write conflict.
 */
export function rateLimitClient(prisma: Pick<PrismaClient, "rateLimit">): { rateLimit: RateLimitModel } {
  const model = prisma.rateLimit;
  return {
    rateLimit: {
      upsert: (args) => retryLostRaceOnce(() => model.upsert(args)),
      deleteMany: (args) => retryLostRaceOnce(() => model.deleteMany(args)),
      findFirst: (args) => model.findFirst(args),
    },
  };
}
