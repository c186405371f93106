import { describe, expect, test, vi } from "vitest";
import { silentLogger } from "../logger.js";
import { createMemoryStore } from "../storage/memory-store.js";
import type { SessionRecord } from "./ports/store.js";
import { createSessionActivity } from "./session-activity.js";

const T0 = new Date("2030-01-01T00:00:00.000Z");
const later = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
const session = { id: "s1", lastUsedAt: T0 } as SessionRecord;

describe("createSessionActivity()", () => {
  test("recordUse() writes nothing when the session was used less than a minute ago", async () => {
    const store = createMemoryStore();
    const touch = vi.spyOn(store, "touchSessions");
    const activity = createSessionActivity({ store, log: silentLogger });
    activity.recordUse(session, later(59));
    await activity.stop();
    expect(touch).not.toHaveBeenCalled();
  });

  test("recordUse() batches the uses of a minute or more later into one write of the latest time", async () => {
    const store = createMemoryStore();
    const touch = vi.spyOn(store, "touchSessions");
    const activity = createSessionActivity({ store, log: silentLogger });
    activity.recordUse(session, later(60));
    activity.recordUse(session, later(61));
    activity.recordUse({ ...session, id: "s2" }, later(90));
    await activity.stop();
    expect(touch).toHaveBeenCalledTimes(1);
    expect(touch.mock.calls[0]![0]).toEqual([
      { sessionId: "s1", lastUsedAt: later(61) },
      { sessionId: "s2", lastUsedAt: later(90) },
    ]);
  });
});
