import { createSecretKey, randomBytes } from "node:crypto";
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
export function signAccessToken(settings: AccessTokenSettings, claims: AccessTokenClaims, now: Date): { token: string; expiresAt: Date } {
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

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

// Only {alg: HS256, typ: at+jwt}, nothing that names a key (jsonwebtoken ignores such parameters; we refuse them).
function checkHeader(header: Record<string, unknown>): void {
  if (header.typ !== TOKEN_TYPE) throw invalidToken(`wrong typ: ${String(header.typ)}`);
  for (const name of Object.keys(header)) {
    if (name !== "alg" && name !== "typ") throw invalidToken(`header parameter not allowed: ${name}`);
  }
}

function reasonFor(error: unknown): string {
  if (error instanceof jwt.NotBeforeError) return "not yet valid (nbf in the future)";
  if (error instanceof jwt.JsonWebTokenError) {
    if (error.message === "invalid signature") return "bad signature";
    if (error.message.startsWith("jwt issuer invalid")) return "wrong issuer";
    if (error.message.startsWith("jwt audience invalid")) return "wrong audience";
    if (error.message.startsWith("invalid algorithm")) return "algorithm not allowed";
    if (error.message === "jwt malformed" || error.message === "invalid token") return "malformed";
    return error.message;
  }
  return "unverifiable";
}

const isNonEmptyString = (value: unknown): value is string => typeof value === "string" && value.length > 0;
const isIntegerSeconds = (value: unknown): value is number => Number.isSafeInteger(value);

/**
 * Verifies an access token at `now` in one pass through jsonwebtoken (`complete: true` hands back the header it
 * decoded, so nothing is decoded twice), with the one pinned algorithm, iss, aud, nbf and exp; then ours: typ, no
 * key-naming header, integer exp and iat, sub and sid. Throws invalidToken(logDetail) naming the exact cause, or
 * tokenExpired() for a token that passed every other check.
 */
export function verifyAccessToken(settings: AccessTokenSettings, token: string, now: Date): AccessTokenClaims & { expiresAt: Date } {
  if (typeof token !== "string") throw invalidToken("not a string");
  if (token.length > MAX_TOKEN_LENGTH) throw invalidToken("oversized");
  if (!JWS_COMPACT.test(token)) throw invalidToken("malformed");
  const options = {
    algorithms: [ALGORITHM] as jwt.Algorithm[],
    issuer: settings.issuer,
    audience: settings.audience,
    clockTimestamp: Math.floor(now.getTime() / 1000),
    clockTolerance: settings.clockToleranceSeconds ?? 0,
    complete: true as const,
  };
  let verified: jwt.Jwt;
  let expired = false;
  try {
    verified = jwt.verify(token, settings.key, options);
  } catch (error) {
    if (!(error instanceof jwt.TokenExpiredError)) throw invalidToken(reasonFor(error));
    // jsonwebtoken checks exp before aud and iss: TOKEN_EXPIRED says "renew", which only a token that is
    // genuine in every other respect deserves, so the rare expired token is checked again without exp
    expired = true;
    try {
      verified = jwt.verify(token, settings.key, { ...options, ignoreExpiration: true });
    } catch (again) {
      throw invalidToken(reasonFor(again));
    }
  }
  checkHeader(verified.header as unknown as Record<string, unknown>);
  const payload = verified.payload;
  // jsonwebtoken lets a non-object payload through to its claim checks
  if (!isObject(payload)) throw invalidToken("malformed payload");
  // jsonwebtoken accepts a token without exp; an access token must always expire
  if (!isIntegerSeconds(payload.exp)) throw invalidToken("missing or ill-typed exp");
  if (!isIntegerSeconds(payload.iat)) throw invalidToken("missing or ill-typed iat");
  if (!isNonEmptyString(payload.sub)) throw invalidToken("missing or ill-typed sub");
  if (!isNonEmptyString(payload.sid)) throw invalidToken("missing or ill-typed sid");
  if (expired) throw tokenExpired();
  return { userId: payload.sub, sessionId: payload.sid, expiresAt: new Date(payload.exp * 1000) };
}
