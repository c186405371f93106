import { createHmac } from "node:crypto";
import jwt from "jsonwebtoken";
import { describe, expect, test } from "vitest";
import { createAccessTokenKey, signAccessToken, verifyAccessToken } from "./access-tokens.js";
import type { AccessTokenSettings } from "./access-tokens.js";
import { AuthError } from "./errors.js";

const SECRET = "test-secret-that-is-at-least-32-bytes-long";
const settings: AccessTokenSettings = {
  key: createAccessTokenKey(SECRET),
  issuer: "https://auth.example.test",
  audience: "graphql-auth-api",
  ttlSeconds: 900,
};
const now = new Date("2026-01-01T00:00:00Z");
const nowSeconds = Math.floor(now.getTime() / 1000);
const claims = { userId: "user-1", sessionId: "session-1" };

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString("base64url");

/** Builds a token by hand so tests can produce what jsonwebtoken would refuse to sign. */
function craft(header: object, payload: object, secret: string = SECRET): string {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${createHmac("sha256", secret).update(input).digest("base64url")}`;
}

const goodHeader = { alg: "HS256", typ: "at+jwt" };
const goodPayload = {
  sub: "user-1",
  sid: "session-1",
  iss: settings.issuer,
  aud: settings.audience,
  iat: nowSeconds,
  exp: nowSeconds + 900,
};

function rejection(token: string, at: Date = now): AuthError {
  try {
    verifyAccessToken(settings, token, at);
  } catch (error) {
    expect(error).toBeInstanceOf(AuthError);
    const authError = error as AuthError;
    expect(authError.code).toBe("UNAUTHENTICATED");
    expect(authError.reason).toBe(authError.details.logDetail === "expired" ? "TOKEN_EXPIRED" : "TOKEN_INVALID");
    return authError;
  }
  throw new Error("token was accepted");
}

describe("signAccessToken()", () => {
  test("signAccessToken() issues an HS256 at+jwt with sub, sid, iss, aud, iat, exp and jti", () => {
    const { token, expiresAt } = signAccessToken(settings, claims, now);
    const decoded = jwt.decode(token, { complete: true });
    expect(decoded?.header).toEqual({ alg: "HS256", typ: "at+jwt" });
    expect(decoded?.payload).toMatchObject({ ...goodPayload, jti: expect.any(String) });
    expect(expiresAt).toEqual(new Date((nowSeconds + 900) * 1000));
  });

  test("signAccessToken() gives every token a distinct jti", () => {
    const first = jwt.decode(signAccessToken(settings, claims, now).token) as { jti: string };
    const second = jwt.decode(signAccessToken(settings, claims, now).token) as { jti: string };
    expect(first.jti).not.toBe(second.jti);
  });
});

describe("verifyAccessToken()", () => {
  test("verifyAccessToken() accepts a token it signed and returns its claims", () => {
    const { token, expiresAt } = signAccessToken(settings, claims, now);
    expect(verifyAccessToken(settings, token, new Date(now.getTime() + 899_000))).toEqual({ ...claims, expiresAt });
  });

  test("verifyAccessToken() accepts a hand-crafted token of the right shape", () => {
    expect(verifyAccessToken(settings, craft(goodHeader, goodPayload), now).userId).toBe("user-1");
  });

  test("verifyAccessToken() rejects alg none", () => {
    const token = `${b64({ alg: "none", typ: "at+jwt" })}.${b64(goodPayload)}.`;
    expect(rejection(token).details.logDetail).toBe("malformed");
    const withSignature = `${b64({ alg: "none", typ: "at+jwt" })}.${b64(goodPayload)}.c2ln`;
    expect(rejection(withSignature).details.logDetail).toMatch(/algorithm not allowed/);
  });

  test.each(["HS512", "RS256", "hs256", "Hs256", "none", "NONE"])("verifyAccessToken() rejects alg %s", (alg) => {
    expect(rejection(craft({ alg, typ: "at+jwt" }, goodPayload)).details.logDetail).toBe("algorithm not allowed");
  });

  test("verifyAccessToken() rejects a token signed with another secret", () => {
    const other = { ...settings, key: createAccessTokenKey("another-secret-that-is-also-32-bytes!!") };
    expect(rejection(signAccessToken(other, claims, now).token).details.logDetail).toBe("bad signature");
  });

  test("verifyAccessToken() rejects a tampered payload", () => {
    const [header, , signature] = signAccessToken(settings, claims, now).token.split(".");
    const forged = `${header}.${b64({ ...goodPayload, sub: "admin" })}.${signature}`;
    expect(rejection(forged).details.logDetail).toBe("bad signature");
  });

  test("verifyAccessToken() rejects an expired token, exactly at exp", () => {
    const { token, expiresAt } = signAccessToken(settings, claims, now);
    expect(rejection(token, expiresAt).details.logDetail).toBe("expired");
  });

  test("verifyAccessToken() says TOKEN_EXPIRED only when every other check passed", () => {
    const { token, expiresAt } = signAccessToken(settings, claims, now);
    expect(rejection(token, expiresAt).reason).toBe("TOKEN_EXPIRED");
    const expiredForeign = signAccessToken({ ...settings, audience: "someone-else" }, claims, now).token;
    expect(rejection(expiredForeign, expiresAt).reason).toBe("TOKEN_INVALID");
    const expiredForged = signAccessToken({ ...settings, key: createAccessTokenKey("another-secret-of-at-least-32-bytes!!") }, claims, now).token;
    expect(rejection(expiredForged, expiresAt).reason).toBe("TOKEN_INVALID");
  });

  test("verifyAccessToken() honours a configured clock tolerance", () => {
    const { token, expiresAt } = signAccessToken(settings, claims, now);
    const lenient = { ...settings, clockToleranceSeconds: 5 };
    expect(verifyAccessToken(lenient, token, expiresAt).userId).toBe("user-1");
  });

  test("verifyAccessToken() rejects nbf in the future", () => {
    const token = craft(goodHeader, { ...goodPayload, nbf: nowSeconds + 60 });
    expect(rejection(token).details.logDetail).toBe("not yet valid (nbf in the future)");
  });

  test.each(["sub", "sid", "exp", "iat"])("verifyAccessToken() rejects a token missing %s", (claim) => {
    const payload: Record<string, unknown> = { ...goodPayload };
    delete payload[claim];
    expect(rejection(craft(goodHeader, payload)).details.logDetail).toBe(`missing or ill-typed ${claim}`);
  });

  test.each([
    ["sub", 42],
    ["sid", ""],
    ["iat", "now"],
  ])("verifyAccessToken() rejects an ill-typed %s", (claim, value) => {
    expect(rejection(craft(goodHeader, { ...goodPayload, [claim]: value })).details.logDetail).toBe(`missing or ill-typed ${claim}`);
  });

  test("verifyAccessToken() rejects the wrong issuer", () => {
    expect(rejection(craft(goodHeader, { ...goodPayload, iss: "https://evil.test" })).details.logDetail).toBe("wrong issuer");
  });

  test("verifyAccessToken() rejects the wrong audience", () => {
    expect(rejection(craft(goodHeader, { ...goodPayload, aud: "another-api" })).details.logDetail).toBe("wrong audience");
  });

  test.each([undefined, "JWT", "at+JWT", "application/at+jwt"])("verifyAccessToken() rejects typ %s", (typ) => {
    expect(rejection(craft({ alg: "HS256", typ }, goodPayload)).details.logDetail).toMatch(/^wrong typ/);
  });

  test.each([
    ["kid", "key-1"],
    ["jku", "https://evil.test/jwks"],
    ["x5u", "https://evil.test/cert"],
    ["jwk", { kty: "oct", k: "AAAA" }],
    ["x5c", ["MIIB"]],
    ["crit", ["exp"]],
  ])("verifyAccessToken() rejects a %s header", (name, value) => {
    const token = craft({ ...goodHeader, [name]: value }, goodPayload);
    expect(rejection(token).details.logDetail).toBe(`header parameter not allowed: ${name}`);
  });

  test.each(["", "garbage", "a.b", "a.b.c.d", "not base64!.x.y", `${b64([1])}.${b64(goodPayload)}.x`])("verifyAccessToken() rejects garbage %j", (token) => {
    expect(rejection(token).details.logDetail).toMatch(/malformed|algorithm not allowed/);
  });

  test("verifyAccessToken() rejects an empty header", () => {
    expect(rejection("e30.e30.c2ln").details.logDetail).toBe("algorithm not allowed");
  });

  test("verifyAccessToken() rejects a payload that is not a JSON object", () => {
    const input = `${b64(goodHeader)}.${Buffer.from("[1,2]").toString("base64url")}`;
    const token = `${input}.${createHmac("sha256", SECRET).update(input).digest("base64url")}`;
    // jsonwebtoken finds no audience in it; refused either way
    expect(rejection(token).details.logDetail).toMatch(/malformed payload|wrong audience/);
  });

  test("verifyAccessToken() rejects an oversized token before parsing it", () => {
    const token = craft(goodHeader, { ...goodPayload, padding: "x".repeat(4096) });
    expect(rejection(token).details.logDetail).toBe("oversized");
  });

  test("verifyAccessToken() rejects a non-string token", () => {
    expect(rejection(undefined as unknown as string).details.logDetail).toBe("not a string");
  });
});

/** The one-pass verify (jsonwebtoken with complete: true, then our checks) refuses whatever jsonwebtoken refuses, and more. @see issue 17 */
describe("verifyAccessToken() in one pass", () => {
  test("verifyAccessToken() accepts the header in another key order (parsed, not compared as text)", () => {
    expect(verifyAccessToken(settings, craft({ typ: "at+jwt", alg: "HS256" }, goodPayload), now).sessionId).toBe("session-1");
  });

  test("verifyAccessToken() refuses a signature spelled with other trailing bits, as jws does", () => {
    const token = signAccessToken(settings, claims, now).token;
    const last = token.at(-1)!;
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    // the last of 43 characters carries 4 bits of the signature and 2 unused ones: flip an unused bit
    const twin = alphabet[alphabet.indexOf(last) ^ 1]!;
    const respelled = `${token.slice(0, -1)}${twin}`;
    expect(Buffer.from(respelled.split(".")[2]!, "base64url")).toEqual(Buffer.from(token.split(".")[2]!, "base64url"));
    expect(() => jwt.verify(respelled, settings.key, { algorithms: ["HS256"] })).toThrow(/invalid signature/);
    expect(rejection(respelled).details.logDetail).toBe("bad signature");
  });

  test("verifyAccessToken() refuses a signature of the wrong length", () => {
    const token = signAccessToken(settings, claims, now).token;
    expect(rejection(`${token}AAAA`).details.logDetail).toBe("bad signature");
    expect(rejection(token.slice(0, -4)).details.logDetail).toBe("bad signature");
  });

  test.each([
    ["nbf", "soon"],
    ["exp", String(nowSeconds + 900)],
    ["exp", nowSeconds + 0.5],
  ])("verifyAccessToken() rejects an ill-typed %s (%j)", (claim, value) => {
    expect(rejection(craft(goodHeader, { ...goodPayload, [claim]: value })).details.logDetail).toMatch(new RegExp(`ill-typed ${claim}|invalid ${claim} value`));
  });

  test("verifyAccessToken() accepts an audience list that names this API, as jsonwebtoken did", () => {
    expect(verifyAccessToken(settings, craft(goodHeader, { ...goodPayload, aud: ["other", settings.audience] }), now).userId).toBe("user-1");
    expect(rejection(craft(goodHeader, { ...goodPayload, aud: ["other"] })).details.logDetail).toBe("wrong audience");
  });

  test("verifyAccessToken() honours the clock tolerance for nbf too", () => {
    const token = craft(goodHeader, { ...goodPayload, nbf: nowSeconds + 3 });
    expect(verifyAccessToken({ ...settings, clockToleranceSeconds: 5 }, token, now).userId).toBe("user-1");
  });

  // Every token jsonwebtoken refuses (with the options this module used to give it) is refused here too.
  const variants: Array<[string, string, Date]> = [
    ["signed", signAccessToken(settings, claims, now).token, now],
    ["expired", signAccessToken(settings, claims, now).token, new Date(now.getTime() + 900_000)],
    ["other secret", signAccessToken({ ...settings, key: createAccessTokenKey("another-secret-of-at-least-32-bytes!!") }, claims, now).token, now],
    ["other issuer", craft(goodHeader, { ...goodPayload, iss: "x" }), now],
    ["no issuer", craft(goodHeader, { ...goodPayload, iss: undefined }), now],
    ["other audience", craft(goodHeader, { ...goodPayload, aud: "x" }), now],
    ["no audience", craft(goodHeader, { ...goodPayload, aud: undefined }), now],
    ["nbf ahead", craft(goodHeader, { ...goodPayload, nbf: nowSeconds + 1 }), now],
    ["nbf now", craft(goodHeader, { ...goodPayload, nbf: nowSeconds }), now],
    ["exp one second ahead", craft(goodHeader, { ...goodPayload, exp: nowSeconds + 1 }), now],
    ["HS384", jwt.sign(goodPayload, SECRET, { algorithm: "HS384", header: { alg: "HS384", typ: "at+jwt" } }), now],
    ["alg none", `${b64({ alg: "none", typ: "at+jwt" })}.${b64(goodPayload)}.`, now],
  ];
  test.each(variants)("verifyAccessToken() refuses what jsonwebtoken refuses: %s", (_name, token, at) => {
    const options: jwt.VerifyOptions = {
      algorithms: ["HS256"],
      issuer: settings.issuer,
      audience: settings.audience,
      clockTimestamp: Math.floor(at.getTime() / 1000),
    };
    let refusedByJsonwebtoken = false;
    try {
      jwt.verify(token, settings.key, options);
    } catch {
      refusedByJsonwebtoken = true;
    }
    let refused = false;
    try {
      verifyAccessToken(settings, token, at);
    } catch {
      refused = true;
    }
    if (refusedByJsonwebtoken) expect(refused).toBe(true);
    else expect(refused).toBe(false); // these variants carry every claim ours requires besides
  });
});

test("createAccessTokenKey() refuses a short or predictable secret even when passed directly @see issue 19", () => {
  expect(() => createAccessTokenKey(`${"abcdefgh".repeat(3)}abcdefg`)).toThrow(/at least 32 bytes/);
  expect(() => createAccessTokenKey("short-secret")).toThrow(RangeError);
  expect(() => createAccessTokenKey("ab".repeat(32))).toThrow(/predictable/);
  expect(() => createAccessTokenKey("test-secret-that-is-at-least-32-bytes-long")).not.toThrow();
});

test("createAccessTokenKey() refuses an empty secret", () => {
  expect(() => createAccessTokenKey("")).toThrow(RangeError);
});
