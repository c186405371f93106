import type { ChangeStreamDocument } from "mongodb";
import { describe, expect, test } from "vitest";
import { sessionEndOf } from "./session-end-stream.js";

// Change events as a replica set sends them for Prisma's writes (only the fields read here). @see issue 12
const change = (event: Record<string, unknown>) => ({ documentKey: { _id: "3f0c…-session" }, ...event }) as unknown as ChangeStreamDocument;

describe("sessionEndOf()", () => {
  test("a status set to an ended one ends the session with that status", () => {
    expect(sessionEndOf(change({ operationType: "update", updateDescription: { updatedFields: { status: "REPLACED", endedAt: new Date() } } }))).toEqual({
      sessionId: "3f0c…-session",
      status: "REPLACED",
    });
  });

  test("a delete (a user deleted outright) counts as REVOKED", () => {
    expect(sessionEndOf(change({ operationType: "delete" }))).toEqual({ sessionId: "3f0c…-session", status: "REVOKED" });
  });

  test("a replaced document ends the session when its status is an ended one", () => {
    expect(sessionEndOf(change({ operationType: "replace", fullDocument: { status: "LOGGED_OUT" } }))?.status).toBe("LOGGED_OUT");
    expect(sessionEndOf(change({ operationType: "replace", fullDocument: { status: "ACTIVE" } }))).toBeNull();
  });

  test("touches, renewals and inserts end nothing", () => {
    expect(sessionEndOf(change({ operationType: "update", updateDescription: { updatedFields: { lastUsedAt: new Date() } } }))).toBeNull();
    expect(sessionEndOf(change({ operationType: "update", updateDescription: { updatedFields: { status: "ACTIVE" } } }))).toBeNull();
    expect(sessionEndOf(change({ operationType: "insert", fullDocument: { status: "ACTIVE" } }))).toBeNull();
  });
});
