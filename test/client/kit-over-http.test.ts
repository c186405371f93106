/**
 * The client kit against the real API over HTTP (in Node): the Apollo link and the fetch client renew an
 * expired token and retry, a session ended elsewhere signs out with the API's reason, a reused refresh token
 * is reported as such. @see issue 14
 */
import { ApolloClient, ApolloLink, CombinedGraphQLErrors, HttpLink, InMemoryCache } from "@apollo/client";
import jwt from "jsonwebtoken";
import { afterAll, beforeAll, expect, test } from "vitest";
import { createAuthLink } from "../../src/client/apollo.js";
import { SessionEndedError, type SignedOut } from "../../src/client/auth-errors.js";
import { createGraphQLFetch, renewWithFetch, signOutWithFetch } from "../../src/client/fetch.js";
import { LoginDocument, MeDocument, SignUpDocument, type AuthPayloadFieldsFragment } from "../../src/client/generated/graphql.js";
import { noTabSync } from "../../src/client/tab-sync.js";
import { createTokenManager, type TokenManager } from "../../src/client/token-manager.js";
import type { TokenStorage } from "../../src/client/token-storage.js";
import { newCredentials, startTestApi, TEST_JWT_SECRET, type TestApi } from "../support/api.js";

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi({ REFRESH_REUSE_GRACE: "0s" });
});
afterAll(async () => {
  await api?.close();
});

async function signUp(): Promise<AuthPayloadFieldsFragment & { credentials: ReturnType<typeof newCredentials> }> {
  const credentials = newCredentials("kit");
  const res = await api.graphql(SignUpDocument, { input: credentials });
  return { ...res.data!.signUp, credentials };
}

/** The session's access token as it looks once expired: genuine signature, `exp` in the past. */
function expiredCopyOf(accessToken: string): string {
  const { sub, sid, iss, aud } = jwt.decode(accessToken) as Record<string, string>;
  const past = Math.floor(Date.now() / 1000) - 60;
  return jwt.sign({ sub, sid, iss, aud, iat: past - 900, exp: past }, TEST_JWT_SECRET, { algorithm: "HS256", header: { alg: "HS256", typ: "at+jwt" } });
}

/** A manager that starts with the payload's session but an access token that has expired (a clock that lied). */
function managerWithExpiredToken(payload: AuthPayloadFieldsFragment): TokenManager {
  const stored = {
    ...payload,
    accessToken: expiredCopyOf(payload.accessToken),
    receivedAt: Date.now(),
    renewAt: Date.now() + 3_600_000,
    expiresAt: Date.now() + 3_600_000,
  };
  let current: Awaited<ReturnType<TokenStorage["load"]>> = stored;
  const storage: TokenStorage = { load: () => current, save: (tokens) => void (current = tokens) };
  return createTokenManager({ renew: renewWithFetch(api.url), storage, tabs: noTabSync() });
}

function apolloClient(manager: TokenManager) {
  return new ApolloClient({ link: ApolloLink.from([createAuthLink(manager), new HttpLink({ uri: api.url })]), cache: new InMemoryCache() });
}

test("the Apollo link renews an expired access token and retries the query once", async () => {
  const payload = await signUp();
  const manager = managerWithExpiredToken(payload);
  const { data } = await apolloClient(manager).query({ query: MeDocument, fetchPolicy: "network-only" });
  expect(data?.me.email).toBe(payload.credentials.email);
  const renewed = await manager.getAccessToken();
  expect(renewed).not.toBe(payload.accessToken);
  manager.dispose();
});

test("the fetch client renews an expired access token and retries once", async () => {
  const payload = await signUp();
  const manager = managerWithExpiredToken(payload);
  const request = createGraphQLFetch(manager, api.url);
  const result = await request(MeDocument);
  expect(result.errors).toBeUndefined();
  expect(result.data?.me.email).toBe(payload.credentials.email);
  manager.dispose();
});

test("a login elsewhere ends the session: the query fails and signedOut says SESSION_ENDED, REPLACED", async () => {
  const payload = await signUp();
  const manager = createTokenManager({ renew: renewWithFetch(api.url), tabs: noTabSync() });
  const events: SignedOut[] = [];
  manager.on("signedOut", (event) => events.push(event));
  await manager.setTokens(payload);
  await api.graphql(LoginDocument, { input: { login: payload.credentials.email, password: payload.credentials.password } });
  const client = apolloClient(manager);
  const failure = await client.query({ query: MeDocument, fetchPolicy: "network-only" }).catch((error: unknown) => error);
  expect(CombinedGraphQLErrors.is(failure) && failure.errors[0]?.extensions?.reason).toBe("SESSION_ENDED");
  expect(events).toEqual([{ reason: "SESSION_ENDED", sessionStatus: "REPLACED" }]);
  expect(manager.isSignedIn()).toBe(false);
  manager.dispose();
});

test("renewWithFetch reports a reused refresh token as REFRESH_TOKEN_REUSED and an unknown one as REFRESH_TOKEN_INVALID", async () => {
  const payload = await signUp();
  const renew = renewWithFetch(api.url);
  await renew(payload.refreshToken);
  const reused = await renew(payload.refreshToken).catch((error: unknown) => error);
  expect(reused).toBeInstanceOf(SessionEndedError);
  expect((reused as SessionEndedError).signedOut.reason).toBe("REFRESH_TOKEN_REUSED");
  const unknown = await renew("not-a-refresh-token").catch((error: unknown) => error);
  expect((unknown as SessionEndedError).signedOut.reason).toBe("REFRESH_TOKEN_INVALID");
});

test("signOutWithFetch signs out here first (reason SIGNED_OUT), then ends the session at the API", async () => {
  const payload = await signUp();
  const manager = createTokenManager({ renew: renewWithFetch(api.url), tabs: noTabSync() });
  const events: SignedOut[] = [];
  manager.on("signedOut", (event) => events.push(event));
  await manager.setTokens(payload);
  await signOutWithFetch(manager, api.url);
  expect(events).toEqual([{ reason: "SIGNED_OUT", sessionStatus: "LOGGED_OUT" }]);
  const me = await api.graphql(MeDocument, {}, { token: payload.accessToken });
  expect(me.errors?.[0]?.extensions).toMatchObject({ reason: "SESSION_ENDED", sessionStatus: "LOGGED_OUT" });
  manager.dispose();
});
