import { createHash, timingSafeEqual } from "node:crypto";

/** A secret as a SHA-256 digest: two digests always have the same length, so comparing them leaks neither length nor content. */
export function secretDigest(value: string): Buffer {
  return createHash("sha256").update(value, "utf8").digest();
}

/** True when `given` is the secret whose secretDigest is `expected`; compared in constant time. */
export function matchesSecret(given: string, expected: Buffer): boolean {
  return timingSafeEqual(secretDigest(given), expected);
}
