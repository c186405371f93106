import { RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";
import type { RateLimiter, RateLimiterFactory, RateLimitVerdict } from "../auth/rate-limits.js";
import { StoreUnavailableError } from "../auth/ports/store.js";
import { withTimeout } from "../with-timeout.js";

/** The part of a rate-limiter-flexible limiter (any store) the adapter uses. */
export interface FlexibleLimiter {
  points: number;
  consume(key: string): Promise<RateLimiterRes>;
  get(key: string): Promise<RateLimiterRes | null>;
  delete(key: string): Promise<boolean>;
}

/** How long a limiter call may take before the store counts as unavailable. */
const DEFAULT_TIMEOUT_MS = 3_000;

/**
 * Adapts a rate-limiter-flexible limiter to the auth core's port. It fails closed: a store error or a slow
 * store becomes StoreUnavailableError (SERVICE_UNAVAILABLE), never an allowed attempt.
 */
export function adaptFlexibleLimiter(limiter: FlexibleLimiter, timeoutMs = DEFAULT_TIMEOUT_MS): RateLimiter {
  return {
    async consume(key) {
      try {
        const res = await withTimeout(limiter.consume(key), timeoutMs, "rate limiter store");
        return { ok: true, consumed: res.consumedPoints };
      } catch (error) {
        // the library rejects with a RateLimiterRes when over the limit, with an Error when its store failed
        if (error instanceof RateLimiterRes) return refused(error);
        throw unavailable(error);
      }
    },
    async peek(key) {
      let res: RateLimiterRes | null;
      try {
        res = await withTimeout(limiter.get(key), timeoutMs, "rate limiter store");
      } catch (error) {
        throw unavailable(error);
      }
      if (res === null) return { ok: true, consumed: 0 };
      return res.consumedPoints > limiter.points ? refused(res) : { ok: true, consumed: res.consumedPoints };
    },
    async reset(key) {
      try {
        await withTimeout(limiter.delete(key), timeoutMs, "rate limiter store");
      } catch (error) {
        throw unavailable(error);
      }
    },
  };
}

/** The options every rate-limiter-flexible store takes for one rule. */
export interface FlexibleLimiterOptions {
  keyPrefix: string;
  points: number;
  duration: number;
  blockDuration: number;
}

/**
 * A factory over one shared counter store. `build` makes the store's limiter for a rule; `purgesExpired` is
 * true for the first only, since one purge of expired rows serves every limiter on the shared table.
 */
export function createFlexibleRateLimiters(
  build: (options: FlexibleLimiterOptions, purgesExpired: boolean) => FlexibleLimiter,
  close: () => Promise<void>,
): RateLimiterFactory {
  let created = 0;
  return {
    create: (rule) =>
      adaptFlexibleLimiter(
        build({ keyPrefix: rule.name, points: rule.points, duration: rule.durationSeconds, blockDuration: rule.blockSeconds }, created++ === 0),
      ),
    close,
  };
}

/** In-process limiters: for unit tests only (they do not hold across instances). */
export function createMemoryRateLimiters(): RateLimiterFactory {
  return createFlexibleRateLimiters(
    (options) => new RateLimiterMemory(options),
    async () => {},
  );
}

function refused(res: RateLimiterRes): RateLimitVerdict {
  return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(res.msBeforeNext / 1000)) };
}

function unavailable(error: unknown): StoreUnavailableError {
  return error instanceof StoreUnavailableError ? error : new StoreUnavailableError({ cause: error });
}
