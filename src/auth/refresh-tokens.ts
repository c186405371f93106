import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes, timingSafeEqual } from "node:crypto";

const ID_BYTES = 16;
const SECRET_BYTES = 32;
const ID_CHARS = 22; // base64url of 16 bytes, unpadded
const SECRET_CHARS = 43; // base64url of 32 bytes, unpadded
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/;

const SEAL_INFO = "graphql-auth-api/refresh-token/successor/v1";
const IV_BYTES = 12;
const TAG_BYTES = 16;
const MAX_SEALED_CHARS = 512;

/** A freshly generated opaque refresh token: `token` goes to the client, `id` locates it, `secret` proves it. */
export interface NewRefreshToken {
  id: string;
  secret: string;
  token: string;
}

/** Generates an opaque refresh token `<id>.<secret>` (16 and 32 random bytes, base64url). */
export function newRefreshToken(): NewRefreshToken {
  const id = randomBytes(ID_BYTES).toString("base64url");
  const secret = randomBytes(SECRET_BYTES).toString("base64url");
  return { id, secret, token: `${id}.${secret}` };
}

// Only the canonical encoding is accepted, so one token has exactly one spelling.
function isCanonicalBase64url(text: string): boolean {
  return Buffer.from(text, "base64url").toString("base64url") === text;
}

/** Splits a refresh token into id and secret; null for anything not exactly of the generated shape. */
export function parseRefreshToken(token: string): { id: string; secret: string } | null {
  if (typeof token !== "string" || token.length !== ID_CHARS + 1 + SECRET_CHARS) return null;
  if (!TOKEN_SHAPE.test(token)) return null;
  const id = token.slice(0, ID_CHARS);
  const secret = token.slice(ID_CHARS + 1);
  if (!isCanonicalBase64url(id) || !isCanonicalBase64url(secret)) return null;
  return { id, secret };
}

/** The SHA-256 (hex) of a refresh secret: the only form in which it is stored. */
export function hashRefreshSecret(secret: string): string {
  return createHash("sha256").update(secret, "utf8").digest("hex");
}

/** Whether the secret hashes to `storedHash`, compared in constant time. */
export function refreshSecretMatches(secret: string, storedHash: string): boolean {
  if (typeof secret !== "string" || typeof storedHash !== "string") return false;
  const actual = Buffer.from(hashRefreshSecret(secret), "utf8");
  const expected = Buffer.from(storedHash, "utf8");
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

function sealingKey(predecessorSecret: string): Buffer {
  // the secret is 256 random bits, so HKDF needs no salt to produce a uniform key
  return Buffer.from(hkdfSync("sha256", Buffer.from(predecessorSecret, "utf8"), Buffer.alloc(0), SEAL_INFO, 32));
}

/** What a sealed successor belongs to: authenticated as AES-GCM additional data, so a seal opens only in its place. */
export interface SealBinding {
  sessionId: string;
  predecessorId: string;
  successorId: string;
}

// Seals carry this prefix since they are bound to their place; an unprefixed one (sealed before, and only useful
// for the few seconds of the grace window) opens without additional data.
const BOUND_PREFIX = "b1.";

function additionalData(binding: SealBinding): Buffer {
  return Buffer.from(JSON.stringify([SEAL_INFO, binding.sessionId, binding.predecessorId, binding.successorId]), "utf8");
}

/**
 * Encrypts the successor's secret under a key only the predecessor's holder can derive (AES-256-GCM), bound to
 * its session, its predecessor and itself: moved to another row, it no longer opens.
 */
export function sealSuccessorSecret(predecessorSecret: string, successorSecret: string, binding: SealBinding): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", sealingKey(predecessorSecret), iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(additionalData(binding));
  const ciphertext = Buffer.concat([cipher.update(successorSecret, "utf8"), cipher.final()]);
  return BOUND_PREFIX + Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString("base64url");
}

/** Decrypts a sealed successor secret; null when it was tampered with, moved, or the predecessor secret is wrong. */
export function openSuccessorSecret(predecessorSecret: string, sealed: string, binding: SealBinding): string | null {
  if (typeof predecessorSecret !== "string" || typeof sealed !== "string") return null;
  const bound = sealed.startsWith(BOUND_PREFIX);
  const body = bound ? sealed.slice(BOUND_PREFIX.length) : sealed;
  if (body.length > MAX_SEALED_CHARS || !/^[A-Za-z0-9_-]+$/.test(body)) return null;
  const bytes = Buffer.from(body, "base64url");
  if (bytes.length <= IV_BYTES + TAG_BYTES) return null;
  try {
    const decipher = createDecipheriv("aes-256-gcm", sealingKey(predecessorSecret), bytes.subarray(0, IV_BYTES), {
      authTagLength: TAG_BYTES,
    });
    if (bound) decipher.setAAD(additionalData(binding));
    decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    const plaintext = Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
    return plaintext.toString("utf8");
  } catch {
    return null;
  }
}
