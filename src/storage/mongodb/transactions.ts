import { isWriteConflict } from "./errors.js";

/** How often, and with what pauses, a transaction that lost a write conflict is run again. */
export interface RetryPolicy {
  attempts: number;
  /** Upper bound of the random pause before attempt n (n ≥ 2): min(maxDelayMs, baseDelayMs · 2^(n-2)). */
  baseDelayMs: number;
  maxDelayMs: number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

/**
 * For interactive transactions, which the engine does not retry: enough for a handful of racers on one
 * document (each round, at least one of them commits).
 */
export const TRANSACTION_RETRY: RetryPolicy = { attempts: 10, baseDelayMs: 5, maxDelayMs: 200 };

/**
 * For single operations: the engine already retries those on transient errors for seconds, so one more
 * attempt here is enough, and ten would stretch one request to minutes.
 */
export const SINGLE_OPERATION_RETRY: RetryPolicy = { attempts: 2, baseDelayMs: 5, maxDelayMs: 50 };

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `transaction` again while it fails with a MongoDB write conflict (Prisma P2034). MongoDB aborts the
 * later of two transactions that write the same document, at once, instead of making it wait as a row lock
 * does; running it again (from a fresh snapshot) after a random pause is the documented answer.
 */
export async function retryOnWriteConflict<T>(transaction: () => Promise<T>, policy: RetryPolicy = TRANSACTION_RETRY): Promise<T> {
  const sleep = policy.sleep ?? pause;
  const random = policy.random ?? Math.random;
  for (let attempt = 1; ; attempt++) {
    try {
      return await transaction();
    } catch (error) {
      if (attempt >= policy.attempts || !isWriteConflict(error)) throw error;
      const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
      await sleep(Math.round(random() * ceiling));
    }
  }
}
