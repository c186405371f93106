/** Forged and misused access tokens: every one is a 401 on a protected operation. @see issue 5 */
import { generateKeyPairSync, randomBytes } from "node:crypto";
import jwt from "jsonwebtoken";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { LoginDocument, MeDocument } from "../generated/graphql.js";
import { errorCode, startTestApi, TEST_JWT_SECRET, type TestApi } from "../support/api.js";
import { signUpUser } from "./support.js";

let api: TestApi;
let victim: Awaited<ReturnType<typeof signUpUser>>;
let claims: { sub: string; sid: string; iss: string; aud: string };
beforeAll(async () => {
  api = await startTestApi();
  victim = await signUpUser(api);
  const decoded = jwt.decode(victim.payload.accessToken) as { sub: string; sid: string; iss: string; aud: string };
  claims = { sub: decoded.sub, sid: decoded.sid, iss: decoded.iss, aud: decoded.aud };
});
afterAll(async () => {
  await api?.close();
});

const now = () => Math.floor(Date.now() / 1000);
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

/** Signs `payload` with the test secret (HS256, typ at+jwt) unless told otherwise. */
function forge(payload: Record<string, unknown>, options: { header?: Record<string, unknown>; algorithm?: jwt.Algorithm; key?: jwt.Secret } = {}): string {
  const algorithm = options.algorithm ?? "HS256";
  return jwt.sign(payload, options.key ?? TEST_JWT_SECRET, { algorithm, header: { alg: algorithm, typ: "at+jwt", ...options.header } as jwt.JwtHeader });
}

const valid = () => ({ ...claims, iat: now(), exp: now() + 600 });

async function expectRefused(token: string) {
  const res = await api.graphql(MeDocument, {}, { token });
  expect(res.status).toBe(401);
  expect(errorCode(res)).toBe("UNAUTHENTICATED");
  expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
  expect(res.data ?? null).toBeNull();
}

test("control: a well-formed token forged with the real secret is accepted (so the refusals below mean something)", async () => {
  const res = await api.graphql(MeDocument, {}, { token: forge(valid()) });
  expect(res.status).toBe(200);
  expect(res.data?.me.id).toBe(claims.sub);
});

describe("claims", () => {
  test("expired", () => expectRefused(forge({ ...valid(), iat: now() - 3600, exp: now() - 60 })));
  test("nbf in the future", () => expectRefused(forge({ ...valid(), nbf: now() + 300 })));
  test("no exp", () => expectRefused(forge({ ...claims, iat: now() })));
  test("no sub", () => expectRefused(forge({ sid: claims.sid, iss: claims.iss, aud: claims.aud, iat: now(), exp: now() + 600 })));
  test("no sid", () => expectRefused(forge({ sub: claims.sub, iss: claims.iss, aud: claims.aud, iat: now(), exp: now() + 600 })));
  test("wrong audience", () => expectRefused(forge({ ...valid(), aud: "another-service" })));
  test("wrong issuer", () => expectRefused(forge({ ...valid(), iss: "https://evil.example" })));
  test("sub of another type (number)", () => expectRefused(forge({ ...valid(), sub: 1 })));
});

describe("algorithms and headers", () => {
  test("alg none, unsigned", () => expectRefused(`${b64({ alg: "none", typ: "at+jwt" })}.${b64(valid())}.`));
  test("alg none with a signature segment", () =>
    expectRefused(`${b64({ alg: "none", typ: "at+jwt" })}.${b64(valid())}.${randomBytes(32).toString("base64url")}`));
  test("HS512 with the right secret", () => expectRefused(forge(valid(), { algorithm: "HS512" })));
  test("HS384 with the right secret", () => expectRefused(forge(valid(), { algorithm: "HS384" })));
  test("RS256 with an attacker's key", () => {
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    return expectRefused(forge(valid(), { algorithm: "RS256", key: privateKey }));
  });
  test("HS256 signed with another secret", () => expectRefused(forge(valid(), { key: "another-secret-of-sufficient-length-0123456789" })));
  test("typ JWT instead of at+jwt", () => expectRefused(forge(valid(), { header: { typ: "JWT" } })));
  test("a kid header", () => expectRefused(forge(valid(), { header: { kid: "../../dev/null" } })));
  test("a jku header", () => expectRefused(forge(valid(), { header: { jku: "https://evil.example/jwks.json" } })));
  test("an embedded jwk header", () =>
    expectRefused(forge(valid(), { header: { jwk: { kty: "oct", k: Buffer.from(TEST_JWT_SECRET).toString("base64url") } } })));
  test("an x5u header", () => expectRefused(forge(valid(), { header: { x5u: "https://evil.example/cert.pem" } })));
  test("a tampered payload under the original signature", () => {
    const [header, , signature] = victim.payload.accessToken.split(".");
    return expectRefused(`${header}.${b64({ ...valid(), sub: "00000000-0000-0000-0000-000000000000" })}.${signature}`);
  });
  test("an oversized token", () => expectRefused(forge({ ...valid(), pad: "x".repeat(10_000) })));
});

describe("sessions behind valid signatures", () => {
  test("another user's session id under the right sub", async () => {
    const other = await signUpUser(api);
    const otherSid = (jwt.decode(other.payload.accessToken) as { sid: string }).sid;
    await expectRefused(forge({ ...valid(), sid: otherSid }));
  });

  test("the user's own replaced session", async () => {
    const user = await signUpUser(api);
    const first = jwt.decode(user.payload.accessToken) as { sub: string; sid: string };
    // the default session limit (1) replaces the first session at the next login
    const again = await api.graphql(LoginDocument, { input: { login: user.creds.email, password: user.creds.password } });
    expect(again.status).toBe(200);
    await expectRefused(forge({ ...valid(), sub: first.sub, sid: first.sid }));
    await expectRefused(user.payload.accessToken);
  });

  test("a session id that does not exist", () => expectRefused(forge({ ...valid(), sid: "8f14e45f-ceea-467a-9575-1b2c3d4e5f60" })));

  test("a valid token of a deleted user", async () => {
    const user = await signUpUser(api);
    const id = (jwt.decode(user.payload.accessToken) as { sub: string }).sub;
    expect((await api.graphql(MeDocument, {}, { token: user.payload.accessToken })).status).toBe(200);
    expect(await api.store.deleteUser(id)).toBe(true);
    await expectRefused(user.payload.accessToken);
  });
});
