import { describe, expect, test } from "vitest";
import { retryOnWriteConflict, type RetryPolicy } from "./transactions.js";

const conflict = (): Error => Object.assign(new Error("Transaction failed due to a write conflict"), { code: "P2034" });

function policy(pauses: number[], attempts = 4): RetryPolicy {
  return { attempts, baseDelayMs: 10, maxDelayMs: 50, random: () => 1, sleep: async (ms) => void pauses.push(ms) };
}

describe("retryOnWriteConflict()", () => {
  test("runs the transaction again after a write conflict, with growing pauses", async () => {
    const pauses: number[] = [];
    let calls = 0;
    const result = await retryOnWriteConflict(async () => {
      calls++;
      if (calls < 4) throw conflict();
      return "committed";
    }, policy(pauses));
    expect(result).toBe("committed");
    expect(calls).toBe(4);
    expect(pauses).toEqual([10, 20, 40]);
  });

  test("gives up after the last attempt with the conflict itself", async () => {
    const pauses: number[] = [];
    let calls = 0;
    const error = await retryOnWriteConflict(
      async () => {
        calls++;
        throw conflict();
      },
      policy(pauses, 3),
    ).catch((e: unknown) => e);
    expect((error as { code?: string }).code).toBe("P2034");
    expect(calls).toBe(3);
  });

  test("never retries any other error", async () => {
    let calls = 0;
    const duplicate = Object.assign(new Error("Unique constraint failed"), { code: "P2002" });
    await expect(
      retryOnWriteConflict(async () => {
        calls++;
        throw duplicate;
      }, policy([])),
    ).rejects.toBe(duplicate);
    expect(calls).toBe(1);
  });

  test("caps the pause at maxDelayMs", async () => {
    const pauses: number[] = [];
    let calls = 0;
    await retryOnWriteConflict(
      async () => {
        if (++calls < 6) throw conflict();
      },
      policy(pauses, 6),
    );
    expect(pauses).toEqual([10, 20, 40, 50, 50]);
  });
});
