import { createHmac, createSecretKey, randomBytes, timingSafeEqual } from "node:crypto";
import type { KeyObject } from "node:crypto";
import jwt from "jsonwebtoken";
import { invalidToken, tokenExpired } from "./errors.js";

/** What signing and verifying access tokens needs; build `key` once with createAccessTokenKey(). */
export interface AccessTokenSettings {
  key: KeyObject;
  issuer: string;
  audience: string;
  ttlSeconds: number;
  /** Leeway for exp/nbf against clock skew between servers; 0 when absent. */
  clockToleranceSeconds?: number;
}

/** The identity an access token proves. */
export interface AccessTokenClaims {
  userId: string;
  sessionId: string;
}

const ALGORITHM = "HS256";
const TOKEN_TYPE = "at+jwt"; // RFC 9068
const MAX_TOKEN_LENGTH = 4096;
const JWS_COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/** The shortest JWT secret accepted, in bytes: HS256 wants a key of at least its output size (RFC 7518 §3.2). */
export const MIN_JWT_SECRET_BYTES = 32;

/** What is wrong with a JWT secret, or null when it is acceptable: long enough and not trivially predictable. */
export function jwtSecretProblem(secret: string): string | null {
  if (typeof secret !== "string" || secret.length === 0) return "must not be empty";
  const bytes = Buffer.byteLength(secret, "utf8");
  if (bytes < MIN_JWT_SECRET_BYTES) return `must be at least ${MIN_JWT_SECRET_BYTES} bytes (got ${bytes}); generate one with \`openssl rand -base64 48\``;
  if (new Set(secret).size < 8) return "too predictable (fewer than 8 distinct characters); use a random value";
  return null;
}

/**
 * Turns the secret into a KeyObject (verifying with it is ~50× cheaper than with a string). Refuses a weak secret
 * itself, not only through loadConfig: an integrator may pass one directly.
 */
export function createAccessTokenKey(secret: string): KeyObject {
  const problem = jwtSecretProblem(secret);
  if (problem !== null) throw new RangeError(`JWT secret ${problem}`);
  return createSecretKey(Buffer.from(secret, "utf8"));
}

/** Signs an HS256 access token (typ at+jwt) for the session, valid for settings.ttlSeconds from `now`. */
export function signAccessToken(
  settings: AccessTokenSettings,
  claims: AccessTokenClaims,
  now: Date,
): { token: string; expiresAt: Date } {
  const iat = Math.floor(now.getTime() / 1000);
  const exp = iat + settings.ttlSeconds;
  const payload = {
    sub: claims.userId,
    sid: claims.sessionId,
    iss: settings.issuer,
    aud: settings.audience,
    iat,
    exp,
    jti: randomBytes(16).toString("base64url"),
  };
  const token = jwt.sign(payload, settings.key, { algorithm: ALGORITHM, header: { alg: ALGORITHM, typ: TOKEN_TYPE } });
  return { token, expiresAt: new Date(exp * 1000) };
}

function decodeSegment(segment: string): unknown {
  try {
    return JSON.parse(Buffer.from(segment, "base64url").toString("utf8"));
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

// The header signAccessToken writes (jsonwebtoken serialises {alg, typ} in that order): the common case is
// recognised by comparing text, and any other spelling of a header is parsed and checked.
const SIGNED_HEADER = Buffer.from(JSON.stringify({ alg: ALGORITHM, typ: TOKEN_TYPE })).toString("base64url");

// Only {alg: HS256, typ: at+jwt}, nothing that names a key, checked before the signature.
function checkHeader(segment: string): void {
  if (segment === SIGNED_HEADER) return;
  const header = decodeSegment(segment);
  if (!isObject(header)) throw invalidToken("malformed header");
  if (header.alg !== ALGORITHM) throw invalidToken(`algorithm not allowed: ${String(header.alg)}`);
  if (header.typ !== TOKEN_TYPE) throw invalidToken(`wrong typ: ${String(header.typ)}`);
  for (const name of Object.keys(header)) {
    if (name !== "alg" && name !== "typ") throw invalidToken(`header parameter not allowed: ${name}`);
  }
}

// The base64url text of the HMAC is compared, not its bytes, so a signature spelled differently (other
// trailing bits) is refused as jws refuses it; both have the length of an HS256 signature (43).
function checkSignature(key: KeyObject, signingInput: string, signature: string): void {
  const expected = createHmac("sha256", key).update(signingInput).digest("base64url");
  if (signature.length !== expected.length || !timingSafeEqual(Buffer.from(signature, "latin1"), Buffer.from(expected, "latin1"))) {
    throw invalidToken("bad signature");
  }
}

const isNonEmptyString = (value: unknown): value is string => typeof value === "string" && value.length > 0;
const isIntegerSeconds = (value: unknown): value is number => Number.isSafeInteger(value);

/**
 * Verifies an access token at `now` in one pass over it (header, HMAC, payload parsed once), with the checks
 * jsonwebtoken's verify makes for these options (nbf, exp, iss, aud, all with the clock tolerance) and ours
 * (typ, no key-naming header, integer exp and iat, sub and sid). Throws invalidToken(logDetail) naming the
 * exact cause, or tokenExpired() for a token that passed every other check.
 */
export function verifyAccessToken(
  settings: AccessTokenSettings,
  token: string,
  now: Date,
): AccessTokenClaims & { expiresAt: Date } {
  if (typeof token !== "string") throw invalidToken("not a string");
  if (token.length > MAX_TOKEN_LENGTH) throw invalidToken("oversized");
  if (!JWS_COMPACT.test(token)) throw invalidToken("malformed");
  const headerEnd = token.indexOf(".");
  const bodyEnd = token.indexOf(".", headerEnd + 1);
  checkHeader(token.slice(0, headerEnd));
  checkSignature(settings.key, token.slice(0, bodyEnd), token.slice(bodyEnd + 1));

  const payload = decodeSegment(token.slice(headerEnd + 1, bodyEnd));
  if (!isObject(payload)) throw invalidToken("malformed payload");
  const clock = Math.floor(now.getTime() / 1000);
  const tolerance = settings.clockToleranceSeconds ?? 0;
  if (payload.nbf !== undefined) {
    if (typeof payload.nbf !== "number") throw invalidToken("ill-typed nbf");
    if (payload.nbf > clock + tolerance) throw invalidToken("not yet valid (nbf in the future)");
  }
  // jsonwebtoken accepts a token without exp; an access token must always expire
  if (!isIntegerSeconds(payload.exp)) throw invalidToken("missing or ill-typed exp");
  if (payload.iss !== settings.issuer) throw invalidToken("wrong issuer");
  const audiences: unknown[] = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
  if (!audiences.includes(settings.audience)) throw invalidToken("wrong audience");
  if (!isIntegerSeconds(payload.iat)) throw invalidToken("missing or ill-typed iat");
  if (!isNonEmptyString(payload.sub)) throw invalidToken("missing or ill-typed sub");
  if (!isNonEmptyString(payload.sid)) throw invalidToken("missing or ill-typed sid");
  // last: TOKEN_EXPIRED says "renew", which only a token that is genuine in every other respect deserves
  if (clock >= payload.exp + tolerance) throw tokenExpired();
  return { userId: payload.sub, sessionId: payload.sid, expiresAt: new Date(payload.exp * 1000) };
}
