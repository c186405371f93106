/** Thrown when a task arrives while `maxQueue` tasks already wait: shed load rather than queue without bound. */
export class QueueFullError extends Error {
  constructor() {
    super("concurrency limit: queue full");
    this.name = "QueueFullError";
  }
}

/** Thrown for a task whose signal aborted before it started (its client has gone): it never runs. */
export class TaskAbandonedError extends Error {
  constructor() {
    super("concurrency limit: task abandoned before it started");
    this.name = "TaskAbandonedError";
  }
}

/**
 * Runs at most `max` tasks at once; the others wait in arrival order, at most `maxQueue` of them (more are refused
 * with QueueFullError). A waiting task whose `signal` aborts leaves the queue and is refused (TaskAbandonedError).
 */
export function createConcurrencyLimit(max: number, options: { maxQueue?: number } = {}): <T>(task: () => Promise<T>, signal?: AbortSignal) => Promise<T> {
  if (!Number.isInteger(max) || max < 1) {
    throw new RangeError(`Concurrency limit must be a positive integer, got ${max}`);
  }
  const maxQueue = options.maxQueue ?? Number.POSITIVE_INFINITY;
  let running = 0;
  const waiting: Array<() => void> = [];

  const release = (): void => {
    const next = waiting.shift();
    // hand the slot straight to the next waiter so a newcomer cannot overtake it
    if (next) next();
    else running--;
  };

  const waitForSlot = (signal: AbortSignal | undefined): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        const index = waiting.indexOf(start);
        if (index >= 0) waiting.splice(index, 1);
        reject(new TaskAbandonedError());
      };
      const start = (): void => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      };
      waiting.push(start);
      signal?.addEventListener("abort", onAbort, { once: true });
    });

  return async <T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> => {
    if (signal?.aborted) throw new TaskAbandonedError();
    if (running < max) running++;
    else if (waiting.length >= maxQueue) throw new QueueFullError();
    else await waitForSlot(signal);
    try {
      return await task();
    } finally {
      release();
    }
  };
}
