import { describe, expect, test } from "vitest";
import { hashRefreshSecret, newRefreshToken, openSuccessorSecret, parseRefreshToken, refreshSecretMatches, sealSuccessorSecret } from "./refresh-tokens.js";

describe("newRefreshToken()", () => {
  test("newRefreshToken() returns <id>.<secret> of 16 and 32 random bytes in base64url", () => {
    const { id, secret, token } = newRefreshToken();
    expect(token).toBe(`${id}.${secret}`);
    expect(Buffer.from(id, "base64url")).toHaveLength(16);
    expect(Buffer.from(secret, "base64url")).toHaveLength(32);
    expect(token).toMatch(/^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/);
  });

  test("newRefreshToken() never repeats itself", () => {
    const tokens = new Set(Array.from({ length: 1000 }, () => newRefreshToken().token));
    expect(tokens.size).toBe(1000);
  });
});

describe("parseRefreshToken()", () => {
  test("parseRefreshToken() returns the id and secret of a generated token", () => {
    const { id, secret, token } = newRefreshToken();
    expect(parseRefreshToken(token)).toEqual({ id, secret });
  });

  test.each([
    ["empty", ""],
    ["no dot", "a".repeat(66)],
    ["a JWT", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl"],
    ["id too short", `${"A".repeat(21)}.${"A".repeat(43)}`],
    ["secret too long", `${"A".repeat(22)}.${"A".repeat(44)}`],
    ["two dots", `${"A".repeat(22)}.${"A".repeat(21)}.${"A".repeat(21)}`],
    ["padding", `${"A".repeat(20)}==.${"A".repeat(43)}`],
    ["standard base64 characters", `${"+".repeat(22)}.${"/".repeat(43)}`],
    ["a non-canonical encoding", `${"A".repeat(21)}B.${"A".repeat(43)}`],
    ["surrounding whitespace", ` ${"A".repeat(22)}.${"A".repeat(42)} `],
    ["huge input", "A".repeat(10_000_000)],
  ])("parseRefreshToken() rejects %s", (_name, token) => {
    expect(parseRefreshToken(token)).toBeNull();
  });

  test("parseRefreshToken() rejects a non-string", () => {
    expect(parseRefreshToken(42 as unknown as string)).toBeNull();
    expect(parseRefreshToken(null as unknown as string)).toBeNull();
  });
});

describe("hashRefreshSecret() and refreshSecretMatches()", () => {
  test("hashRefreshSecret() is the SHA-256 hex of the secret", () => {
    expect(hashRefreshSecret("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  });

  test("refreshSecretMatches() accepts the secret behind the stored hash", () => {
    const { secret } = newRefreshToken();
    expect(refreshSecretMatches(secret, hashRefreshSecret(secret))).toBe(true);
  });

  test("refreshSecretMatches() rejects another secret", () => {
    const stored = hashRefreshSecret(newRefreshToken().secret);
    expect(refreshSecretMatches(newRefreshToken().secret, stored)).toBe(false);
  });

  test("refreshSecretMatches() returns false on a stored hash of the wrong length", () => {
    const { secret } = newRefreshToken();
    const stored = hashRefreshSecret(secret);
    expect(refreshSecretMatches(secret, stored.slice(0, 32))).toBe(false);
    expect(refreshSecretMatches(secret, `${stored}00`)).toBe(false);
    expect(refreshSecretMatches(secret, "")).toBe(false);
  });
});

describe("sealSuccessorSecret() and openSuccessorSecret()", () => {
  const predecessor = newRefreshToken().secret;
  const successor = newRefreshToken().secret;
  const place = { sessionId: "5d0f3c1e-7a7b-4c55-9d2e-0c1f2a3b4c5d", predecessorId: "pred", successorId: "succ" };

  test("openSuccessorSecret() recovers what sealSuccessorSecret() sealed", () => {
    const sealed = sealSuccessorSecret(predecessor, successor, place);
    expect(sealed).toMatch(/^b1\.[A-Za-z0-9_-]+$/);
    expect(sealed).not.toContain(successor);
    expect(openSuccessorSecret(predecessor, sealed, place)).toBe(successor);
  });

  test("sealSuccessorSecret() uses a fresh IV each time", () => {
    expect(sealSuccessorSecret(predecessor, successor, place)).not.toBe(sealSuccessorSecret(predecessor, successor, place));
  });

  test("openSuccessorSecret() returns null for the wrong predecessor secret", () => {
    const sealed = sealSuccessorSecret(predecessor, successor, place);
    expect(openSuccessorSecret(newRefreshToken().secret, sealed, place)).toBeNull();
  });

  test.each([0, 5, 12, 28, 40])("openSuccessorSecret() returns null when byte %i is tampered with", (index) => {
    const sealed = sealSuccessorSecret(predecessor, successor, place);
    const bytes = Buffer.from(sealed.slice(3), "base64url");
    bytes[index] = (bytes[index] ?? 0) ^ 0x01;
    expect(openSuccessorSecret(predecessor, `${sealed.slice(0, 3)}${bytes.toString("base64url")}`, place)).toBeNull();
  });

  test("openSuccessorSecret() returns null for a truncated, empty, or garbage value", () => {
    const sealed = sealSuccessorSecret(predecessor, successor, place);
    expect(openSuccessorSecret(predecessor, sealed.slice(0, -4), place)).toBeNull();
    expect(openSuccessorSecret(predecessor, sealed.slice(0, 30), place)).toBeNull();
    expect(openSuccessorSecret(predecessor, "", place)).toBeNull();
    expect(openSuccessorSecret(predecessor, "not base64url!", place)).toBeNull();
    expect(openSuccessorSecret(predecessor, "A".repeat(100_000), place)).toBeNull();
  });

  test("openSuccessorSecret() returns null for a seal moved to another session, predecessor or successor @see issue 19", () => {
    const sealed = sealSuccessorSecret(predecessor, successor, place);
    expect(openSuccessorSecret(predecessor, sealed, { ...place, sessionId: "another-session" })).toBeNull();
    expect(openSuccessorSecret(predecessor, sealed, { ...place, predecessorId: "another" })).toBeNull();
    expect(openSuccessorSecret(predecessor, sealed, { ...place, successorId: "another" })).toBeNull();
  });
});
