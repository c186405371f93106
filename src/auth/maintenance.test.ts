import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, test, vi } from "vitest";
import { silentLogger, type Logger } from "../logger.js";
import { createMemoryStore } from "../storage/memory-store.js";
import type { NewAuditEvent, Store } from "./ports/store.js";
import { startMaintenance } from "./maintenance.js";

const DAY = 86_400;
const NOW = new Date("2030-06-01T00:00:00.000Z");
const daysAgo = (days: number) => new Date(NOW.getTime() - days * DAY * 1000);

function auditEvent(userId: string, createdAt: Date): NewAuditEvent {
  return { userId, sessionId: null, actorId: null, type: "LOGIN", outcome: "SUCCESS", ipAddress: null, userAgent: null, detail: {}, createdAt };
}

async function sessionOf(store: Store, userId: string, createdAt: Date, expiresAt: Date) {
  const { securityStamp } = (await store.findUserById(userId))!;
  const id = randomUUID();
  const token = { id: randomUUID(), sessionId: id, secretHash: "x".repeat(64), createdAt, expiresAt };
  const started = await store.startSession(
    { id, userId, createdAt, expiresAt, userAgent: null, ipAddress: null },
    token,
    () => ({ replace: [] }),
    createdAt,
    securityStamp,
  );
  if (!started.ok) throw new Error("session refused");
  return started.session;
}

afterEach(() => {
  vi.useRealTimers();
});

describe("startMaintenance()", () => {
  test("runOnce() prunes audit events past the retention and expires overdue sessions", async () => {
    const store = createMemoryStore();
    const user = await store.createUser({ email: "a@example.com", username: null, passwordHash: "h", roles: [], profile: {} });
    await store.appendAuditEvents([auditEvent(user.id, daysAgo(100)), auditEvent(user.id, daysAgo(10))]);
    const overdue = await sessionOf(store, user.id, daysAgo(40), daysAgo(1));
    const live = await sessionOf(store, user.id, daysAgo(1), new Date(NOW.getTime() + DAY * 1000));
    const maintenance = startMaintenance({ store, log: silentLogger, now: () => NOW, settings: { sweepIntervalSeconds: 0, auditRetentionSeconds: 90 * DAY } });

    await maintenance.runOnce();

    const events = await store.listAuditEvents({ userId: user.id, limit: 10, before: null });
    expect(events.map((event) => event.createdAt)).toEqual([daysAgo(10)]);
    expect((await store.getSession(overdue.id))?.status).toBe("EXPIRED");
    expect((await store.getSession(live.id))?.status).toBe("ACTIVE");
    await maintenance.stop();
  });

  test("runs on its interval until stop()", async () => {
    vi.useFakeTimers();
    const store = createMemoryStore();
    const sweep = vi.spyOn(store, "sweepSessions");
    const maintenance = startMaintenance({ store, log: silentLogger, now: () => NOW, settings: { sweepIntervalSeconds: 60, auditRetentionSeconds: DAY } });
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(125_000);
    expect(sweep).toHaveBeenCalledTimes(2);
    await maintenance.stop();
    await vi.advanceTimersByTimeAsync(120_000);
    expect(sweep).toHaveBeenCalledTimes(2);
  });

  test("logs a failing run instead of throwing, and tries again next time", async () => {
    const store = createMemoryStore();
    vi.spyOn(store, "sweepSessions").mockRejectedValueOnce(new Error("database down"));
    const warn = vi.fn();
    const log: Logger = { ...silentLogger, warn };
    const maintenance = startMaintenance({ store, log, now: () => NOW, settings: { sweepIntervalSeconds: 0, auditRetentionSeconds: DAY } });
    await expect(maintenance.runOnce()).resolves.toBeUndefined();
    expect(warn).toHaveBeenCalledWith(expect.stringContaining("maintenance failed"), expect.objectContaining({ error: expect.any(Error) }));
    await maintenance.runOnce();
    expect(warn).toHaveBeenCalledTimes(1);
  });

  test("never overlaps two runs", async () => {
    const store = createMemoryStore();
    const sweep = vi.spyOn(store, "sweepSessions");
    const maintenance = startMaintenance({ store, log: silentLogger, now: () => NOW, settings: { sweepIntervalSeconds: 0, auditRetentionSeconds: DAY } });
    await Promise.all([maintenance.runOnce(), maintenance.runOnce()]);
    expect(sweep).toHaveBeenCalledTimes(1);
  });
});
