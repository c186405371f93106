/**
 * Token introspection (RFC 7662) for other services: as strict as `me`, on any instance.
 * @see issue 11
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { CLI_ACTOR } from "../../src/auth/actor.js";
import { LogoutDocument, RevokeAllSessionsDocument } from "../generated/graphql.js";
import { startTestApi, type TestApi } from "../support/api.js";
import { accountWithSession, createAccount, logInOk } from "../support/accounts.js";

const CLIENT = { id: "gateway", secret: "gateway-secret-0123456789" };
const env = { INTROSPECTION_CLIENTS: `${CLIENT.id}:${CLIENT.secret},billing:billing-secret-0123456789`, SESSION_LIMIT: "1" };
const NO_CLIENT = { ipAddress: null, userAgent: null };

let api: TestApi;
let second: TestApi;
beforeAll(async () => {
  api = await startTestApi(env);
  second = await startTestApi(env, api.databaseUrl);
});
afterAll(async () => {
  await second?.close();
  await api?.close();
});

function introspect(target: TestApi, token: string, credentials: { id: string; secret: string } | null = CLIENT, extraHeaders: Record<string, string> = {}) {
  const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded", ...extraHeaders };
  if (credentials) headers.authorization = `Basic ${Buffer.from(`${credentials.id}:${credentials.secret}`).toString("base64")}`;
  return fetch(target.url.replace("/graphql", "/oauth2/introspect"), { method: "POST", headers, body: new URLSearchParams({ token }) });
}

async function introspectJson(target: TestApi, token: string): Promise<Record<string, unknown>> {
  const res = await introspect(target, token);
  expect(res.status).toBe(200);
  expect(res.headers.get("cache-control")).toBe("no-store");
  return (await res.json()) as Record<string, unknown>;
}

describe("POST /oauth2/introspect", () => {
  test("a live access token is active with the user's claims", async () => {
    const { user, payload } = await accountWithSession(api, { roles: ["BILLING"] });
    const body = await introspectJson(api, payload.accessToken);
    expect(body).toEqual({
      active: true,
      sub: user.id,
      sid: payload.session.id,
      exp: Math.floor(Date.parse(payload.accessTokenExpiresAt) / 1000),
      iat: expect.any(Number),
      iss: api.config.jwt.issuer,
      aud: api.config.jwt.audience,
      token_type: "access_token",
      username: user.username,
      email: user.email,
      roles: ["BILLING"],
    });
  });

  test("username is null for an account without one", async () => {
    const { creds } = await createAccount(api);
    await api.app.auth.createUser(CLI_ACTOR, { email: `nouser-${creds.email}`, password: creds.password }, NO_CLIENT);
    const payload = await logInOk(api, { email: `nouser-${creds.email}`, password: creds.password });
    expect(await introspectJson(api, payload.accessToken)).toMatchObject({ active: true, username: null });
  });

  test("a logged-out session's token is inactive on the very next call, on both instances", async () => {
    const { payload } = await accountWithSession(api);
    expect(await introspectJson(second, payload.accessToken)).toMatchObject({ active: true });
    await api.graphql(LogoutDocument, {}, { token: payload.accessToken });
    expect(await introspectJson(api, payload.accessToken)).toEqual({ active: false });
    expect(await introspectJson(second, payload.accessToken)).toEqual({ active: false });
  });

  test("a revoked session's token is inactive at once, also through the other instance", async () => {
    const { payload } = await accountWithSession(api);
    await second.graphql(RevokeAllSessionsDocument, { includeCurrent: true }, { token: payload.accessToken });
    expect(await introspectJson(api, payload.accessToken)).toEqual({ active: false });
  });

  test("a replaced session's token is inactive once a new login takes its place", async () => {
    const { creds, payload } = await accountWithSession(api);
    await logInOk(second, creds); // SESSION_LIMIT=1: the first session is REPLACED
    expect(await introspectJson(api, payload.accessToken)).toEqual({ active: false });
  });

  test("a disabled user's token is inactive at once", async () => {
    const { user, payload } = await accountWithSession(api);
    expect(await introspectJson(api, payload.accessToken)).toMatchObject({ active: true });
    await second.app.auth.disableUser(CLI_ACTOR, user.id, NO_CLIENT);
    expect(await introspectJson(api, payload.accessToken)).toEqual({ active: false });
  });

  test("a refresh token, garbage and an empty-looking token are inactive, saying nothing more", async () => {
    const { payload } = await accountWithSession(api);
    for (const token of [payload.refreshToken, "garbage", "a.b.c", `${payload.accessToken}x`]) {
      expect(await introspectJson(api, token)).toEqual({ active: false });
    }
  });

  test("a wrong secret, an unknown client or no credentials is 401 invalid_client with WWW-Authenticate: Basic", async () => {
    const { payload } = await accountWithSession(api);
    for (const credentials of [{ id: CLIENT.id, secret: "wrong-secret-0123456789" }, { id: "nobody", secret: CLIENT.secret }, null]) {
      const res = await introspect(api, payload.accessToken, credentials);
      expect(res.status).toBe(401);
      expect(res.headers.get("www-authenticate")).toMatch(/^Basic /);
      expect(await res.json()).toEqual({ error: "invalid_client" });
    }
  });

  test("a request without a token parameter is 400 invalid_request; GET is 405", async () => {
    const endpoint = api.url.replace("/graphql", "/oauth2/introspect");
    const authorization = `Basic ${Buffer.from(`${CLIENT.id}:${CLIENT.secret}`).toString("base64")}`;
    const missing = await fetch(endpoint, { method: "POST", headers: { authorization, "content-type": "application/x-www-form-urlencoded" }, body: "" });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toEqual({ error: "invalid_request" });
    expect((await fetch(endpoint, { headers: { authorization } })).status).toBe(405);
  });

  test("many concurrent introspections all answer from the shared session lookup", async () => {
    const sessions = await Promise.all([0, 1, 2, 3, 4].map(() => accountWithSession(api)));
    const answers = await Promise.all(sessions.flatMap(({ payload }) => [1, 2, 3, 4].map(() => introspectJson(api, payload.accessToken))));
    expect(answers.every((answer) => answer.active === true)).toBe(true);
  });
});

describe("failed client authentication is rate-limited", () => {
  let limited: TestApi;
  beforeAll(async () => {
    limited = await startTestApi({ ...env, RATE_LIMIT_ENABLED: "true", RATE_LIMIT_INTROSPECTION_FAILURES: "3" }, api.databaseUrl);
  });
  afterAll(async () => {
    await limited?.close();
  });

  test("after the allowed failures the address gets 429 with Retry-After, even with the right secret", async () => {
    const wrong = { id: CLIENT.id, secret: "wrong-secret-0123456789" };
    for (let i = 0; i < 3; i++) expect((await introspect(limited, "x", wrong)).status).toBe(401);
    const refused = await introspect(limited, "x");
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
  });
});
