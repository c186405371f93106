import { describe, expect, test } from "vitest";
import { findTotpStep, newTotpKey, newTotpSecret, openTotpSecret, parseTotpKey, sealTotpSecret, totpCodeAt } from "./totp.js";

/** RFC 6238 Appendix B, SHA-1: the seed is the ASCII string "12345678901234567890", 8 digits, 30-second steps. */
const RFC_SEED_BASE32 = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
const RFC_VECTORS: Array<[seconds: number, code: string]> = [
  [59, "94287082"],
  [1111111109, "07081804"],
  [1111111111, "14050471"],
  [1234567890, "89005924"],
  [2000000000, "69279037"],
  [20000000000, "65353130"],
];

describe("TOTP (RFC 6238) @see issue 15", () => {
  test.each(RFC_VECTORS)("at %i s the RFC's SHA-1 code %s is accepted, in its own step, through the sealed secret", (seconds, code) => {
    // the server's path: the secret is sealed at rest and opened to check a code
    const key = newTotpKey();
    const secret = openTotpSecret(key, "user-1", sealTotpSecret(key, "user-1", RFC_SEED_BASE32));
    const at = new Date(seconds * 1000);
    expect(findTotpStep(secret, code, at, 8)).toBe(Math.floor(seconds / 30));
    expect(totpCodeAt(secret, at, 8)).toBe(code);
  });

  test("a code is accepted one step early or late, not two", () => {
    const secret = newTotpSecret();
    const now = new Date(1_800_000_000_000);
    const step = Math.floor(now.getTime() / 30_000);
    expect(findTotpStep(secret, totpCodeAt(secret, new Date(now.getTime() - 30_000)), now)).toBe(step - 1);
    expect(findTotpStep(secret, totpCodeAt(secret, new Date(now.getTime() + 30_000)), now)).toBe(step + 1);
    expect(findTotpStep(secret, totpCodeAt(secret, new Date(now.getTime() + 60_000)), now)).toBeNull();
    expect(findTotpStep(secret, "12345", now)).toBeNull();
    expect(findTotpStep(secret, "abcdef", now)).toBeNull();
  });

  test("a new secret is 160 random bits in base32", () => {
    const secret = newTotpSecret();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(newTotpSecret()).not.toBe(secret);
  });

  test("a sealed secret opens only with its key and for its user, and never shows the secret", () => {
    const key = newTotpKey();
    const secret = newTotpSecret();
    const sealed = sealTotpSecret(key, "user-1", secret);
    expect(sealed).not.toContain(secret);
    expect(sealTotpSecret(key, "user-1", secret)).not.toBe(sealed); // a fresh IV each time
    expect(() => openTotpSecret(newTotpKey(), "user-1", sealed)).toThrow();
    expect(() => openTotpSecret(key, "user-2", sealed)).toThrow();
  });

  test("TOTP_ENCRYPTION_KEY must be 32 bytes of base64", () => {
    expect(parseTotpKey(Buffer.alloc(32, 1).toString("base64"))).toEqual(Buffer.alloc(32, 1));
    expect(parseTotpKey(Buffer.alloc(31).toString("base64"))).toBeNull();
    expect(parseTotpKey("not base64 at all")).toBeNull();
  });
});
