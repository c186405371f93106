import { createHash, randomInt } from "node:crypto";

/** How many recovery codes an enrollment hands out. */
export const RECOVERY_CODE_COUNT = 10;

// No 0/O, 1/I/L: codes are copied by hand from paper
const ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz";
const GROUP = 5;

/** New random recovery codes, `xxxxx-xxxxx` (~49 bits each): shown once, stored only as hashes. */
export function newRecoveryCodes(count = RECOVERY_CODE_COUNT): string[] {
  const group = () => Array.from({ length: GROUP }, () => ALPHABET[randomInt(ALPHABET.length)]).join("");
  return Array.from({ length: count }, () => `${group()}-${group()}`);
}

/** Whether a typed code looks like a recovery code (case, spaces and the dash do not matter). */
export function isRecoveryCodeShape(code: string): boolean {
  return new RegExp(`^[${ALPHABET}]{${GROUP * 2}}$`).test(canonical(code));
}

/**
 * The stored form of a recovery code: SHA-256 of its canonical spelling. A fast hash suffices for random
 * codes of this length; guessing is bounded by the MFA rate limits, not by the hash's cost.
 */
export function hashRecoveryCode(code: string): string {
  return createHash("sha256")
    .update(`recovery-code:${canonical(code)}`, "utf8")
    .digest("hex");
}

function canonical(code: string): string {
  return code.toLowerCase().replace(/[\s-]/g, "");
}
