import { expect, test } from "vitest";
import { createConcurrencyLimit } from "./concurrency-limit.js";

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
