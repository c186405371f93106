import { expect, test } from "vitest";
import { createConcurrencyLimit, QueueFullError, TaskAbandonedError } from "./concurrency-limit.js";

const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 1));

test("createConcurrencyLimit() never runs more than max tasks at once", async () => {
  const limit = createConcurrencyLimit(3);
  let running = 0;
  let peak = 0;
  const results = await Promise.all(
    Array.from({ length: 20 }, (_, index) =>
      limit(async () => {
        running++;
        peak = Math.max(peak, running);
        await tick();
        running--;
        return index;
      }),
    ),
  );
  expect(peak).toBe(3);
  expect(results).toEqual(Array.from({ length: 20 }, (_, index) => index));
});

test("createConcurrencyLimit() starts waiting tasks in arrival order", async () => {
  const limit = createConcurrencyLimit(1);
  const started: number[] = [];
  await Promise.all([1, 2, 3, 4].map((n) => limit(async () => void started.push(n))));
  expect(started).toEqual([1, 2, 3, 4]);
});

test("createConcurrencyLimit() frees the slot of a task that fails", async () => {
  const limit = createConcurrencyLimit(1);
  await expect(limit(() => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
  await expect(
    limit(() => {
      throw new Error("sync boom");
    }),
  ).rejects.toThrow("sync boom");
  await expect(limit(async () => "still works")).resolves.toBe("still works");
});

test.each([0, -1, 1.5, Number.NaN])("createConcurrencyLimit() refuses max %s", (max) => {
  expect(() => createConcurrencyLimit(max)).toThrow(RangeError);
});

/** A task that runs until `finish()` is called. */
function blocker() {
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  return { task: () => done, finish };
}

test("createConcurrencyLimit() refuses a task when maxQueue tasks already wait @see issue 19", async () => {
  const limit = createConcurrencyLimit(1, { maxQueue: 2 });
  const running = blocker();
  const first = limit(running.task);
  const queued = [limit(async () => 1), limit(async () => 2)];
  await expect(limit(async () => 3)).rejects.toBeInstanceOf(QueueFullError);
  running.finish();
  await first;
  expect(await Promise.all(queued)).toEqual([1, 2]);
  expect(await limit(async () => 4)).toBe(4);
});

test("createConcurrencyLimit() never runs a waiting task whose client has gone, and frees its place @see issue 19", async () => {
  const limit = createConcurrencyLimit(1, { maxQueue: 1 });
  const running = blocker();
  const first = limit(running.task);
  const gone = new AbortController();
  let ran = false;
  const abandoned = limit(async () => void (ran = true), gone.signal);
  gone.abort();
  await expect(abandoned).rejects.toBeInstanceOf(TaskAbandonedError);
  const next = limit(async () => "next"); // the abandoned task's place in the queue is free again
  running.finish();
  await first;
  expect(await next).toBe("next");
  expect(ran).toBe(false);
  await expect(limit(async () => "late", gone.signal)).rejects.toBeInstanceOf(TaskAbandonedError);
});
