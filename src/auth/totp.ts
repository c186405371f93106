import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { Secret, TOTP } from "otpauth";

/** RFC 6238 as API.md fixes it: HMAC-SHA-1, 6 digits, 30-second steps. */
export const TOTP_PERIOD_SECONDS = 30;
const TOTP_DIGITS = 6;
const SECRET_BYTES = 20; // 160 bits, RFC 4226's recommended length
/** A code is accepted one step early or late (clock drift, a code typed at the end of its window). */
const WINDOW_STEPS = 1;

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const SEAL_VERSION = "v1";

/** A new random TOTP secret (160 bits), base32 as authenticator apps take it. */
export function newTotpSecret(): string {
  return new Secret({ size: SECRET_BYTES }).base32;
}

function totpFor(secretBase32: string, digits: number, label = "", issuer = ""): TOTP {
  return new TOTP({ issuer, label, algorithm: "SHA1", digits, period: TOTP_PERIOD_SECONDS, secret: Secret.fromBase32(secretBase32) });
}

/** The `otpauth://totp/…` URL of a secret, for a QR code: issuer from configuration, label the account's name. */
export function totpUrl(secretBase32: string, issuer: string, accountName: string): string {
  return totpFor(secretBase32, TOTP_DIGITS, accountName, issuer).toString();
}

/**
 * The time step a code belongs to when it is valid at `now` within ±1 step, else null. The caller stores the
 * step and refuses any step not later than the last one used, so a code works once. `digits` is for the
 * RFC 6238 test vectors (8 digits); the API uses 6.
 */
export function findTotpStep(secretBase32: string, code: string, now: Date, digits = TOTP_DIGITS): number | null {
  if (!new RegExp(`^\\d{${digits}}$`).test(code)) return null;
  const timestamp = now.getTime();
  const delta = totpFor(secretBase32, digits).validate({ token: code, timestamp, window: WINDOW_STEPS });
  return delta === null ? null : TOTP.counter({ period: TOTP_PERIOD_SECONDS, timestamp }) + delta;
}

/** The code of a secret at an instant (tests and the RFC vectors; the server only verifies). */
export function totpCodeAt(secretBase32: string, at: Date, digits = TOTP_DIGITS): string {
  return totpFor(secretBase32, digits).generate({ timestamp: at.getTime() });
}

/** Reads TOTP_ENCRYPTION_KEY: base64 of exactly 32 bytes; null when it is not. */
export function parseTotpKey(base64: string): Buffer | null {
  const trimmed = base64.trim();
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed)) return null;
  const key = Buffer.from(trimmed, "base64");
  return key.length === KEY_BYTES ? key : null;
}

/** A new random key for TOTP_ENCRYPTION_KEY (development: kept in the data folder). */
export function newTotpKey(): Buffer {
  return randomBytes(KEY_BYTES);
}

/**
 * Encrypts a TOTP secret for storage (AES-256-GCM). The user id is bound in as associated data, so a sealed
 * secret copied onto another account does not open.
 */
export function sealTotpSecret(key: Buffer, userId: string, secretBase32: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(Buffer.from(`totp:${userId}`, "utf8"));
  const sealed = Buffer.concat([cipher.update(secretBase32, "utf8"), cipher.final()]);
  return `${SEAL_VERSION}.${Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString("base64url")}`;
}

/** Decrypts a sealed TOTP secret; throws when the key is not the one it was sealed with (or it was altered). */
export function openTotpSecret(key: Buffer, userId: string, sealed: string): string {
  const [version, body = ""] = sealed.split(".", 2);
  if (version !== SEAL_VERSION) throw new Error("TOTP secret: unknown seal version");
  const bytes = Buffer.from(body, "base64url");
  const decipher = createDecipheriv("aes-256-gcm", key, bytes.subarray(0, IV_BYTES));
  decipher.setAAD(Buffer.from(`totp:${userId}`, "utf8"));
  decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
  return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString("utf8");
}
