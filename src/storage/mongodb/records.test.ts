import { describe, expect, test } from "vitest";
import type { AuditEvent, RefreshToken, Session, User } from "../../generated/mongodb/client.js";
import { toAuditEventRecord, toRefreshTokenRecord, toSessionRecord, toUserRecord } from "./records.js";

const t0 = new Date("2030-01-01T00:00:00Z");

describe("records", () => {
  test("toUserRecord() keeps the port's fields only and returns plain objects", () => {
    const profile = { displayName: "Ada", nested: { tags: ["a"] } };
    const row: User = {
      id: "65a1f0c2e4b0a1b2c3d4e5f6",
      email: "ada@example.com",
      username: null,
      passwordHash: "$argon2id$x",
      roles: ["USER"],
      profile,
      disabledAt: null,
      emailVerifiedAt: null,
      securityStamp: "s1",
      createdAt: t0,
      updatedAt: t0,
      loginSerial: 3,
    };
    const record = toUserRecord(row);
    expect(record).toEqual({
      id: row.id,
      email: row.email,
      username: null,
      passwordHash: row.passwordHash,
      roles: ["USER"],
      profile,
      disabledAt: null,
      emailVerifiedAt: null,
      securityStamp: "s1",
      createdAt: t0,
    });
    expect(record.roles).not.toBe(row.roles);
    expect(Object.getPrototypeOf(record.profile)).toBe(Object.prototype);
  });

  test("toUserRecord() reads a profile that is not an object as {} and a missing stamp as the legacy one", () => {
    const row = {
      id: "65a1f0c2e4b0a1b2c3d4e5f6",
      email: "a@b.c",
      username: "ada",
      passwordHash: "h",
      roles: [],
      profile: null,
      disabledAt: null,
      createdAt: t0,
      updatedAt: t0,
      loginSerial: 0,
    } as unknown as User;
    expect(toUserRecord(row).profile).toEqual({});
    expect(toUserRecord(row).securityStamp).toBe(""); // written before stamps existed
  });

  test("toSessionRecord() and toRefreshTokenRecord() map fields missing from a document to null", () => {
    const session = { id: "s1", userId: "65a1f0c2e4b0a1b2c3d4e5f6", status: "ACTIVE", createdAt: t0, lastUsedAt: t0, expiresAt: t0 } as Session;
    expect(toSessionRecord(session)).toEqual({ ...session, endedAt: null, userAgent: null, ipAddress: null });
    const token = { id: "t1", sessionId: "s1", secretHash: "ab", createdAt: t0, expiresAt: t0 } as RefreshToken;
    expect(toRefreshTokenRecord(token)).toEqual({ ...token, rotatedAt: null, successorId: null, successorSecretSealed: null });
  });

  test("toAuditEventRecord() keeps SUCCESS and reads anything else as FAILURE", () => {
    const row: AuditEvent = {
      id: "65a1f0c2e4b0a1b2c3d4e5f7",
      userId: "u",
      sessionId: null,
      actorId: null,
      type: "LOGIN",
      outcome: "SUCCESS",
      ipAddress: "127.0.0.1",
      userAgent: null,
      detail: { attempt: 1 },
      createdAt: t0,
    };
    expect(toAuditEventRecord(row)).toEqual({ ...row });
    expect(toAuditEventRecord({ ...row, outcome: "weird" }).outcome).toBe("FAILURE");
  });
});
