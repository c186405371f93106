import { describe, expect, test } from "vitest";
import { rateLimitClient, retryLostRaceOnce } from "./rate-limit-client.js";

const duplicate = () => Object.assign(new Error("Unique constraint failed on the constraint: `_id_`"), { code: "P2002" });
const conflict = () => Object.assign(new Error("Transaction failed due to a write conflict or a deadlock"), { code: "P2034" });

/** Fails with each of `errors` in turn, then succeeds; counts the calls. */
function failing(errors: Error[]) {
  const state = { calls: 0 };
  const operation = async () => {
    const error = errors[state.calls++];
    if (error !== undefined) throw error;
    return "done";
  };
  return { state, operation };
}

describe("retryLostRaceOnce() @see issue 18", () => {
  test("runs again once after a duplicate key (two first attempts inserted one counter) or a write conflict", async () => {
    for (const error of [duplicate(), conflict(), new Error("E11000 duplicate key error collection: auth.rate_limits")]) {
      const { state, operation } = failing([error]);
      await expect(retryLostRaceOnce(operation)).resolves.toBe("done");
      expect(state.calls).toBe(2);
    }
  });

  test("gives up after the second attempt, and at once on any other error", async () => {
    const twice = failing([duplicate(), conflict()]);
    await expect(retryLostRaceOnce(twice.operation)).rejects.toMatchObject({ code: "P2034" });
    expect(twice.state.calls).toBe(2);
    const other = failing([Object.assign(new Error("Can't reach database server"), { code: "P1001" })]);
    await expect(retryLostRaceOnce(other.operation)).rejects.toMatchObject({ code: "P1001" });
    expect(other.state.calls).toBe(1);
  });

  test("rateLimitClient() retries the limiter's upsert and deleteMany, not its reads", async () => {
    const calls: string[] = [];
    let upserts = 0;
    const model = {
      upsert: async () => (calls.push("upsert"), upserts++ === 0 ? Promise.reject(duplicate()) : { key: "k", points: 1, expire: null }),
      deleteMany: async () => (calls.push("deleteMany"), { count: 0 }),
      findFirst: async () => (calls.push("findFirst"), Promise.reject(conflict())),
    };
    const { rateLimit } = rateLimitClient({ rateLimit: model as never });
    await rateLimit.deleteMany({ where: { key: "k" } });
    await expect(rateLimit.upsert({ where: { key: "k" }, create: { key: "k", points: 1, expire: null }, update: {} })).resolves.toMatchObject({ points: 1 });
    await expect(rateLimit.findFirst({ where: { key: "k" } })).rejects.toMatchObject({ code: "P2034" });
    expect(calls).toEqual(["deleteMany", "upsert", "upsert", "findFirst"]);
  });
});
