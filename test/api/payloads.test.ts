import jwt from "jsonwebtoken";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { LoginFullDocument, type FullAuthPayloadFragment, RenewTokenFullDocument, SignUpFullDocument } from "../generated/graphql.js";
import { newCredentials, startTestApi, TEST_JWT_SECRET, type TestApi } from "../support/api.js";

/**
 * An AuthPayload answers every field as seen by the session it has just issued, whatever token the request
 * carried: once a mutation has changed state, no selection may turn its answer into an error.
 * @see issue 9 ("A payload must never fail after the mutation acted")
 */
let api: TestApi;
let otherUsersToken: string;
let expiredToken: string;

beforeAll(async () => {
  api = await startTestApi({ SESSION_LIMIT: "0" });
  const other = await api.graphql(SignUpFullDocument, { input: newCredentials("other") });
  otherUsersToken = other.data!.signUp.accessToken;
  const claims = jwt.decode(otherUsersToken) as Record<string, unknown>;
  const past = Math.floor(Date.now() / 1000) - 3600;
  expiredToken = jwt.sign({ ...claims, iat: past - 900, exp: past }, TEST_JWT_SECRET, { algorithm: "HS256", header: { alg: "HS256", typ: "at+jwt" } });
});
afterAll(async () => {
  await api?.close();
});

const headers = {
  "no token": () => undefined,
  "an expired token": () => expiredToken,
  "another user's token": () => otherUsersToken,
};

function expectWholePayload(payload: FullAuthPayloadFragment, email: string): void {
  expect(payload.user.email).toBe(email);
  expect(payload.session).toMatchObject({ status: "ACTIVE", current: true });
  const listed = payload.user.sessions.find((session) => session.id === payload.session.id);
  expect(listed).toMatchObject({ status: "ACTIVE", current: true });
  expect(payload.user.sessions.filter((session) => session.current)).toHaveLength(1);
  expect(payload.user.auditEvents.length).toBeGreaterThan(0);
}

describe.each(Object.entries(headers))("with %s in the Authorization header", (_, token) => {
  test("signUp, login and renewToken answer every AuthPayload field as the issued session", async () => {
    const creds = newCredentials();
    const signUp = await api.graphql(SignUpFullDocument, { input: creds }, { token: token() });
    expect(signUp.errors).toBeUndefined();
    expect(signUp.status).toBe(200);
    expectWholePayload(signUp.data!.signUp, creds.email);

    const login = await api.graphql(LoginFullDocument, { input: { login: creds.username, password: creds.password } }, { token: token() });
    expect(login.errors).toBeUndefined();
    expectWholePayload(login.data!.login, creds.email);

    const renew = await api.graphql(RenewTokenFullDocument, { refreshToken: login.data!.login.refreshToken }, { token: token() });
    expect(renew.errors).toBeUndefined();
    expectWholePayload(renew.data!.renewToken, creds.email);
    expect(renew.data!.renewToken.session.id).toBe(login.data!.login.session.id);
  });
});
