import jwt from "jsonwebtoken";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { ERROR_REASONS } from "../../src/auth/error-reasons.js";
import {
  ChangePasswordDocument,
  CreateUserDocument,
  DisableUserDocument,
  LogoutDocument,
  MeDocument,
  RenewTokenDocument,
  RevokeSessionDocument,
  SignUpDocument,
  UserByIdDocument,
} from "../generated/graphql.js";
import { accountWithSession, createAccount, logIn, logInOk } from "../support/accounts.js";
import { type GraphQLResponse, newCredentials, startTestApi, TEST_JWT_SECRET, type TestApi } from "../support/api.js";

/**
 * Every refusal carries `extensions.reason` (and `field` / `sessionStatus` where API.md names them), so a
 * client can react without parsing messages. @see issue 9 ("Machine-readable error reasons")
 */
let api: TestApi;
let limited: TestApi;
beforeAll(async () => {
  api = await startTestApi({ SESSION_LIMIT: "0" });
  limited = await startTestApi({ SESSION_LIMIT: "1", SESSION_LIMIT_STRATEGY: "reject" }, api.databaseUrl);
});
afterAll(async () => {
  await limited?.close();
  await api?.close();
});

function refusal(res: GraphQLResponse<unknown>) {
  expect(res.errors, JSON.stringify(res.data)).toBeDefined();
  const extensions = res.errors![0]!.extensions!;
  // the code always follows from the reason, as the catalogue says
  expect(extensions.code).toBe(ERROR_REASONS[extensions.reason as keyof typeof ERROR_REASONS]);
  return extensions;
}

function forge(claims: Record<string, unknown>, secret = TEST_JWT_SECRET): string {
  return jwt.sign(claims, secret, { algorithm: "HS256", header: { alg: "HS256", typ: "at+jwt" } });
}

describe("UNAUTHENTICATED reasons", () => {
  test("TOKEN_MISSING without a token, TOKEN_INVALID for a forged one", async () => {
    expect(refusal(await api.graphql(MeDocument, {}))).toMatchObject({ reason: "TOKEN_MISSING" });
    expect(refusal(await api.graphql(MeDocument, {}, { token: "not.a.jwt" }))).toMatchObject({ reason: "TOKEN_INVALID" });
    const { payload } = await accountWithSession(api);
    const claims = jwt.decode(payload.accessToken) as Record<string, unknown>;
    const forged = forge(claims, "a-different-secret-of-at-least-32-bytes!");
    expect(refusal(await api.graphql(MeDocument, {}, { token: forged }))).toMatchObject({ reason: "TOKEN_INVALID" });
  });

  test("TOKEN_EXPIRED for a genuine token past its exp, TOKEN_INVALID when it is also foreign", async () => {
    const { payload } = await accountWithSession(api);
    const claims = jwt.decode(payload.accessToken) as Record<string, unknown>;
    const past = Math.floor(Date.now() / 1000) - 60;
    const expired = forge({ ...claims, iat: past - 900, exp: past });
    const res = await api.graphql(MeDocument, {}, { token: expired });
    expect(res.status).toBe(401);
    expect(refusal(res)).toMatchObject({ reason: "TOKEN_EXPIRED" });
    const foreign = forge({ ...claims, aud: "another-api", iat: past - 900, exp: past });
    expect(refusal(await api.graphql(MeDocument, {}, { token: foreign }))).toMatchObject({ reason: "TOKEN_INVALID" });
  });

  test("SESSION_ENDED with the session's final status", async () => {
    const { payload } = await accountWithSession(api);
    await api.graphql(LogoutDocument, {}, { token: payload.accessToken });
    expect(refusal(await api.graphql(MeDocument, {}, { token: payload.accessToken }))).toMatchObject({
      reason: "SESSION_ENDED",
      sessionStatus: "LOGGED_OUT",
    });

    const other = await accountWithSession(api);
    await api.graphql(RevokeSessionDocument, { sessionId: other.payload.session.id }, { token: other.payload.accessToken });
    expect(refusal(await api.graphql(MeDocument, {}, { token: other.payload.accessToken }))).toMatchObject({
      reason: "SESSION_ENDED",
      sessionStatus: "REVOKED",
    });
  });

  test("ACCOUNT_UNAVAILABLE once the account is disabled, for access and refresh tokens alike", async () => {
    const admin = await accountWithSession(api, { roles: ["ADMIN"] });
    const { user, payload } = await accountWithSession(api);
    await api.graphql(DisableUserDocument, { id: user.id }, { token: admin.payload.accessToken });
    expect(refusal(await api.graphql(MeDocument, {}, { token: payload.accessToken }))).toMatchObject({ reason: "ACCOUNT_UNAVAILABLE" });
    expect(refusal(await api.graphql(RenewTokenDocument, { refreshToken: payload.refreshToken }))).toMatchObject({ reason: "ACCOUNT_UNAVAILABLE" });
  });

  test("INVALID_CREDENTIALS alike for a wrong password and an unknown account", async () => {
    const { creds } = await createAccount(api);
    const wrong = refusal(await logIn(api, { email: creds.email, password: "not the right password at all" }));
    const unknown = refusal(await logIn(api, { email: "nobody-here@example.com", password: "not the right password at all" }));
    expect(wrong).toEqual(unknown);
    expect(wrong).toMatchObject({ code: "UNAUTHENTICATED", reason: "INVALID_CREDENTIALS" });
  });

  test("REFRESH_TOKEN_INVALID for an unknown refresh token, REFRESH_TOKEN_REUSED for a rotated one", async () => {
    expect(refusal(await api.graphql(RenewTokenDocument, { refreshToken: "garbage" }))).toMatchObject({ reason: "REFRESH_TOKEN_INVALID" });
    const noGrace = await startTestApi({ REFRESH_REUSE_GRACE: "0" }, api.databaseUrl);
    try {
      const { creds } = await createAccount(noGrace);
      const payload = await logInOk(noGrace, creds);
      await noGrace.graphql(RenewTokenDocument, { refreshToken: payload.refreshToken });
      const reused = await noGrace.graphql(RenewTokenDocument, { refreshToken: payload.refreshToken });
      expect(refusal(reused)).toMatchObject({ reason: "REFRESH_TOKEN_REUSED", sessionStatus: "REVOKED" });
    } finally {
      await noGrace.app.close();
    }
  });
});

describe("BAD_USER_INPUT reasons name the field", () => {
  test.each([
    ["INVALID_EMAIL", "email", { email: "not-an-email" }],
    ["INVALID_USERNAME", "username", { username: "-bad-" }],
    ["PASSWORD_TOO_SHORT", "password", { password: "short-pass" }],
    ["PASSWORD_TOO_LONG", "password", { password: `${"x".repeat(300)}yz` }],
    ["PASSWORD_TOO_COMMON", "password", { password: "password1234567" }],
    ["INVALID_INPUT", "profile", { profile: { a: "x".repeat(20_000) } }],
  ])("signUp: %s on %s", async (reason, field, change) => {
    const res = await api.graphql(SignUpDocument, { input: { ...newCredentials(), ...change } });
    expect(res.status).toBe(400);
    expect(refusal(res)).toMatchObject({ code: "BAD_USER_INPUT", reason, field });
  });

  test("EMAIL_TAKEN and USERNAME_TAKEN", async () => {
    const first = newCredentials();
    await api.graphql(SignUpDocument, { input: first });
    expect(refusal(await api.graphql(SignUpDocument, { input: { ...newCredentials(), email: first.email } }))).toMatchObject({
      reason: "EMAIL_TAKEN",
      field: "email",
    });
    expect(refusal(await api.graphql(SignUpDocument, { input: { ...newCredentials(), username: first.username } }))).toMatchObject({
      reason: "USERNAME_TAKEN",
      field: "username",
    });
  });

  test("WRONG_PASSWORD on changePassword, and the new password's policy on newPassword", async () => {
    const { creds, payload } = await accountWithSession(api);
    const wrong = await api.graphql(
      ChangePasswordDocument,
      { currentPassword: "wrong wrong wrong wrong", newPassword: "another fine passphrase" },
      { token: payload.accessToken },
    );
    expect(refusal(wrong)).toMatchObject({ reason: "WRONG_PASSWORD", field: "currentPassword" });
    const short = await api.graphql(ChangePasswordDocument, { currentPassword: creds.password, newPassword: "short" }, { token: payload.accessToken });
    expect(refusal(short)).toMatchObject({ reason: "PASSWORD_TOO_SHORT", field: "newPassword" });
  });
});

describe("FORBIDDEN and SESSION_LIMIT_REACHED reasons", () => {
  test("ROLE_REQUIRED without the role, NOT_OWNER on someone else's session", async () => {
    const alice = await accountWithSession(api);
    const bob = await accountWithSession(api);
    const res = await api.graphql(UserByIdDocument, { id: bob.user.id }, { token: alice.payload.accessToken });
    expect(res.status).toBe(403);
    expect(refusal(res)).toMatchObject({ reason: "ROLE_REQUIRED" });
    const create = await api.graphql(CreateUserDocument, { input: newCredentials() }, { token: alice.payload.accessToken });
    expect(refusal(create)).toMatchObject({ reason: "ROLE_REQUIRED" });
    const revoke = await api.graphql(RevokeSessionDocument, { sessionId: bob.payload.session.id }, { token: alice.payload.accessToken });
    expect(refusal(revoke)).toMatchObject({ code: "FORBIDDEN", reason: "NOT_OWNER" });
  });

  test("SESSION_LIMIT_REACHED with the reject strategy", async () => {
    const { creds } = await createAccount(limited);
    await logInOk(limited, creds);
    const res = await logIn(limited, creds);
    expect(res.status).toBe(409);
    expect(refusal(res)).toMatchObject({ reason: "SESSION_LIMIT_REACHED" });
  });
});
