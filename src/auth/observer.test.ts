import { describe, expect, test } from "vitest";
import { createMemoryRateLimiters } from "../storage/flexible-rate-limiter.js";
import { type AuthObserver, NO_OBSERVER, observeAudit, observeRateLimiters } from "./observer.js";

describe("observer", () => {
  test("observeRateLimiters() reports each refusal by its rule's name, and nothing for allowed events", async () => {
    const refused: string[] = [];
    const observer: AuthObserver = { ...NO_OBSERVER, rateLimited: (rule) => refused.push(rule) };
    const limiter = observeRateLimiters(createMemoryRateLimiters(), observer).create({ name: "sign-ups", points: 2, durationSeconds: 60, blockSeconds: 0 });
    for (let i = 0; i < 4; i++) await limiter.consume("203.0.113.1");
    expect(refused).toEqual(["sign-ups", "sign-ups"]);
  });

  test("observeAudit() reports type, outcome and a failure's reason, then records the event", async () => {
    const seen: unknown[] = [];
    const recorded: unknown[] = [];
    const audit = observeAudit({ record: async (entry) => void recorded.push(entry) }, { ...NO_OBSERVER, accountEvent: (...args) => seen.push(args) });
    await audit.record({ type: "LOGIN", outcome: "FAILURE", userId: null, detail: { reason: "wrong password" } }, new Date());
    await audit.record({ type: "LOGOUT", userId: "u1" }, new Date());
    expect(seen).toEqual([
      ["LOGIN", "FAILURE", "wrong password"],
      ["LOGOUT", "SUCCESS", null],
    ]);
    expect(recorded).toHaveLength(2);
  });
});
