/**
 * With SESSION_LIMIT_STRATEGY=reject a login whose answer was lost leaves a session nobody holds. Its owner, who
 * proves the password, can log in with `endOtherSessions: true`: the other sessions end as REPLACED. Without it
 * the login is refused as before, and the error names the option. @see issue 10
 */
import { afterAll, beforeAll, expect, test } from "vitest";
import { LoginDocument, MeDocument } from "../generated/graphql.js";
import { startTestApi, type TestApi } from "../support/api.js";
import { createAccount, logInOk } from "../support/accounts.js";

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi({ SESSION_LIMIT: "1", SESSION_LIMIT_STRATEGY: "reject" });
});
afterAll(async () => {
  await api?.close();
});

test("a lost login's session no longer locks the owner out: endOtherSessions ends it as REPLACED", async () => {
  const { creds, user } = await createAccount(api);
  const lost = await logInOk(api, creds, "the answer never arrived");

  const refused = await api.graphql(LoginDocument, { input: { login: creds.email, password: creds.password } });
  expect(refused.status).toBe(409);
  expect(refused.errors?.[0]?.extensions).toMatchObject({ code: "SESSION_LIMIT_REACHED", reason: "SESSION_LIMIT_REACHED" });
  expect(refused.errors?.[0]?.message).toContain("endOtherSessions");

  // the option does not skip the password check: a wrong password ends nothing
  const wrong = await api.graphql(LoginDocument, { input: { login: creds.email, password: "not the password at all", endOtherSessions: true } });
  expect(wrong.status).toBe(401);
  expect((await api.store.getSession(lost.session.id))?.status).toBe("ACTIVE");

  const taken = await api.graphql(LoginDocument, { input: { login: creds.email, password: creds.password, endOtherSessions: true } });
  expect(taken.status).toBe(200);
  expect((await api.store.getSession(lost.session.id))?.status).toBe("REPLACED");
  const old = await api.graphql(MeDocument, {}, { token: lost.accessToken });
  expect(old.status).toBe(401);
  expect(old.errors?.[0]?.extensions).toMatchObject({ reason: "SESSION_ENDED", sessionStatus: "REPLACED" });
  expect((await api.graphql(MeDocument, {}, { token: taken.data!.login.accessToken })).status).toBe(200);
  const events = await api.store.listAuditEvents({ userId: user.id, limit: 20, before: null });
  expect(events.find((event) => event.type === "SESSION_REPLACED")).toMatchObject({ sessionId: lost.session.id });
});

test("endOtherSessions: false (the default) and null keep the reject strategy's refusal", async () => {
  const { creds } = await createAccount(api);
  await logInOk(api, creds);
  for (const endOtherSessions of [false, null]) {
    const res = await api.graphql(LoginDocument, { input: { login: creds.email, password: creds.password, endOtherSessions } });
    expect(res.status).toBe(409);
  }
});
