import { expect, test } from "vitest";
import { silentLogger } from "../logger.js";
import { createMemoryStore } from "../storage/memory-store.js";
import { createRefusedAttempts } from "./refused-attempts.js";

const client = (ipAddress: string) => ({ ipAddress, userAgent: "bot" });

/** @see issue 10 */
test("refused attempts become one audit row per account and address per flush, and at most 101 rows however many addresses", async () => {
  const store = createMemoryStore();
  const refusals = createRefusedAttempts({ store, log: silentLogger, now: () => new Date("2026-12-01T12:00:00Z") });
  for (let i = 0; i < 1_000; i++) refusals.count("LOGIN", "user-1", client("192.0.2.7"));
  for (let i = 0; i < 5_000; i++) refusals.count("LOGIN", "user-1", client(`10.0.${i >> 8}.${i & 255}`)); // rotating addresses
  await refusals.stop();

  const events = await store.listAuditEvents({ userId: null, limit: 1_000, before: null });
  expect(events.length).toBeLessThanOrEqual(101);
  const total = events.reduce((sum, event) => sum + Number(event.detail.refusedAttempts), 0);
  expect(total).toBe(6_000);
  expect(events.find((event) => event.ipAddress === "192.0.2.7")).toMatchObject({
    type: "LOGIN",
    outcome: "FAILURE",
    userId: "user-1",
    detail: { reason: "rate limited", refusedAttempts: 1_000 },
  });
  expect(events.find((event) => event.ipAddress === null)?.detail.refusedAttempts).toBe(6_000 - 1_000 - 99);
});
