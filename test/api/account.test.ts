import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { ChangePasswordDocument, LoginDocument, LogoutDocument, MeDocument, SignUpDocument } from "../generated/graphql.js";
import { errorCode, newCredentials, startTestApi, type TestApi } from "../support/api.js";

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => {
  await api?.close();
});

describe("signUp", () => {
  test("creates the account with its profile and starts a session", async () => {
    const creds = newCredentials();
    const res = await api.graphql(
      SignUpDocument,
      { input: { ...creds, profile: { displayName: "Ada", plan: "pro" } } },
      { headers: { "user-agent": "vitest-agent" } },
    );
    expect(res.status).toBe(200);
    const payload = res.data!.signUp;
    expect(payload.user).toMatchObject({ email: creds.email, username: creds.username, roles: [], profile: { displayName: "Ada", plan: "pro" } });
    expect(payload.session).toMatchObject({ status: "ACTIVE", userAgent: "vitest-agent", ipAddress: expect.stringContaining("127.0.0.1") });
    expect(payload.accessToken.split(".")).toHaveLength(3);
    expect(payload.refreshToken).toMatch(/^[\w-]+\.[\w-]+$/);
    expect(new Date(payload.accessTokenExpiresAt).getTime()).toBeLessThan(new Date(payload.refreshTokenExpiresAt).getTime());
    const me = await api.graphql(MeDocument, {}, { token: payload.accessToken });
    expect(me.data?.me.email).toBe(creds.email);
  });

  test("normalises the email to lower case and refuses it again in another case", async () => {
    const creds = newCredentials();
    await api.graphql(SignUpDocument, { input: { ...creds, email: creds.email.toUpperCase() } });
    const again = await api.graphql(SignUpDocument, { input: { ...creds, username: null } });
    expect(again.status).toBe(400);
    expect(errorCode(again)).toBe("BAD_USER_INPUT");
    expect(again.errors?.[0]?.message).toMatch(/email/i);
  });

  test("refuses a taken username with BAD_USER_INPUT", async () => {
    const first = newCredentials();
    await api.graphql(SignUpDocument, { input: first });
    const res = await api.graphql(SignUpDocument, { input: { ...newCredentials(), username: first.username.toUpperCase() } });
    expect(res.status).toBe(400);
    expect(res.errors?.[0]?.message).toMatch(/username/i);
  });

  test("refuses short, overlong and common passwords with BAD_USER_INPUT", async () => {
    for (const password of ["short-pass", `${"x".repeat(257)}yz`, "password1234567"]) {
      const res = await api.graphql(SignUpDocument, { input: { ...newCredentials(), password } });
      expect(res.status, password.slice(0, 20)).toBe(400);
      expect(errorCode(res)).toBe("BAD_USER_INPUT");
    }
  });

  test("refuses an invalid email address with a 400", async () => {
    const res = await api.graphql(SignUpDocument, { input: { ...newCredentials(), email: "not-an-email" } });
    expect(res.status).toBe(400);
    expect(errorCode(res)).toBe("BAD_USER_INPUT");
  });

  test("never returns a password hash, whatever the client asks", async () => {
    const res = await fetch(api.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: "mutation($i: SignUpInput!) { signUp(input: $i) { user { passwordHash } } }", variables: { i: newCredentials() } }),
    });
    expect(res.status).toBe(400);
    expect(await res.text()).not.toMatch(/\$argon2/);
  });
});

describe("login", () => {
  test("works with the email or the username, in any case", async () => {
    const creds = newCredentials();
    await api.graphql(SignUpDocument, { input: creds });
    for (const login of [creds.email, creds.username.toUpperCase()]) {
      const res = await api.graphql(LoginDocument, { input: { login, password: creds.password } });
      expect(res.status).toBe(200);
      expect(res.data?.login.user.email).toBe(creds.email);
    }
  });

  test("gives the same 401 for a wrong password and for an unknown account", async () => {
    const creds = newCredentials();
    await api.graphql(SignUpDocument, { input: creds });
    const wrong = await api.graphql(LoginDocument, { input: { login: creds.email, password: "wrong password but long" } });
    const unknown = await api.graphql(LoginDocument, { input: { login: "nobody@example.com", password: "wrong password but long" } });
    for (const res of [wrong, unknown]) {
      expect(res.status).toBe(401);
      expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
      expect(errorCode(res)).toBe("UNAUTHENTICATED");
    }
    expect(wrong.errors?.[0]?.message).toBe(unknown.errors?.[0]?.message);
  });

  test("ignores a stale Authorization header", async () => {
    const creds = newCredentials();
    const signUp = await api.graphql(SignUpDocument, { input: creds });
    const stale = signUp.data!.signUp.accessToken;
    await api.graphql(LogoutDocument, {}, { token: stale });
    for (const token of [stale, "garbage.token.value"]) {
      const res = await api.graphql(LoginDocument, { input: { login: creds.email, password: creds.password } }, { token });
      expect(res.status).toBe(200);
      expect(res.data?.login.accessToken).toBeTruthy();
    }
  });

  test("refuses an overlong password with BAD_USER_INPUT before hashing", async () => {
    const res = await api.graphql(LoginDocument, { input: { login: "someone@example.com", password: "p".repeat(5000) } });
    expect(res.status).toBe(400);
    expect(errorCode(res)).toBe("BAD_USER_INPUT");
  });
});

describe("me and logout", () => {
  test("me without a token is a 401 with WWW-Authenticate: Bearer", async () => {
    const res = await api.graphql(MeDocument, {});
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toBe("Bearer");
    expect(errorCode(res)).toBe("UNAUTHENTICATED");
  });

  test("me with a garbage token is a 401 naming invalid_token", async () => {
    const res = await api.graphql(MeDocument, {}, { token: "abc.def.ghi" });
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toContain('error="invalid_token"');
  });

  test("logout makes the still-unexpired access token fail on the very next request", async () => {
    const signUp = await api.graphql(SignUpDocument, { input: newCredentials() });
    const token = signUp.data!.signUp.accessToken;
    expect((await api.graphql(MeDocument, {}, { token })).status).toBe(200);
    const logout = await api.graphql(LogoutDocument, {}, { token });
    expect(logout.data?.logout).toBe(true);
    const after = await api.graphql(MeDocument, {}, { token });
    expect(after.status).toBe(401);
    expect(errorCode(after)).toBe("UNAUTHENTICATED");
  });

  test("logout without a token is a 401", async () => {
    const res = await api.graphql(LogoutDocument, {});
    expect(res.status).toBe(401);
  });
});

describe("changePassword", () => {
  test("a wrong current password is BAD_USER_INPUT and the caller's session stays valid", async () => {
    const creds = newCredentials();
    const token = (await api.graphql(SignUpDocument, { input: creds })).data!.signUp.accessToken;
    const res = await api.graphql(ChangePasswordDocument, { currentPassword: "not the password at all", newPassword: "a brand new passphrase" }, { token });
    expect(res.status).toBe(400);
    expect(errorCode(res)).toBe("BAD_USER_INPUT");
    expect((await api.graphql(MeDocument, {}, { token })).status).toBe(200);
  });

  test("the new password works and the old one no longer does", async () => {
    const creds = newCredentials();
    const token = (await api.graphql(SignUpDocument, { input: creds })).data!.signUp.accessToken;
    const newPassword = "a brand new passphrase for me";
    const res = await api.graphql(ChangePasswordDocument, { currentPassword: creds.password, newPassword }, { token });
    expect(res.data?.changePassword).toBe(true);
    expect((await api.graphql(MeDocument, {}, { token })).status).toBe(200);
    expect((await api.graphql(LoginDocument, { input: { login: creds.email, password: creds.password } })).status).toBe(401);
    expect((await api.graphql(LoginDocument, { input: { login: creds.email, password: newPassword } })).status).toBe(200);
  });
});
