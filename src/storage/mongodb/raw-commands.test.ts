import { describe, expect, test } from "vitest";
import { ejsonDate, touchSessionsCommand } from "./raw-commands.js";

const at = (iso: string): Date => new Date(iso);

describe("ejsonDate()", () => {
  test("encodes the exact millisecond in canonical Extended JSON", () => {
    expect(ejsonDate(at("2030-01-01T00:00:00.123Z"))).toEqual({ $date: { $numberLong: "1893456000123" } });
    expect(ejsonDate(new Date(0))).toEqual({ $date: { $numberLong: "0" } });
  });
});

describe("touchSessionsCommand()", () => {
  test("writes each session once, with its latest time, and only where that time is newer", () => {
    const command = touchSessionsCommand([
      { sessionId: "a", lastUsedAt: at("2030-01-01T00:05:00Z") },
      { sessionId: "b", lastUsedAt: at("2030-01-01T00:01:00Z") },
      { sessionId: "a", lastUsedAt: at("2030-01-01T00:03:00Z") },
    ]);
    const a = ejsonDate(at("2030-01-01T00:05:00Z"));
    const b = ejsonDate(at("2030-01-01T00:01:00Z"));
    expect(command).toEqual({
      update: "sessions",
      ordered: false,
      updates: [
        { q: { _id: "a", lastUsedAt: { $lt: a } }, u: { $set: { lastUsedAt: a } } },
        { q: { _id: "b", lastUsedAt: { $lt: b } }, u: { $set: { lastUsedAt: b } } },
      ],
    });
  });

  test("returns null when there is nothing to write", () => {
    expect(touchSessionsCommand([])).toBeNull();
  });
});
