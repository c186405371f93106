import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  ChangePasswordDocument,
  LogoutDocument,
  MeDocument,
  MySessionsDocument,
  RevokeAllSessionsDocument,
  RevokeSessionDocument,
} from "../generated/graphql.js";
import { errorCode, startTestApi, type TestApi } from "../support/api.js";
import { accountWithSession, createAccount, logIn, logInOk } from "../support/accounts.js";

let api: TestApi;
beforeAll(async () => {
  // several devices per user; rate limits are another suite's subject
  api = await startTestApi({ SESSION_LIMIT: "0", RATE_LIMIT_ENABLED: "false" });
});
afterAll(async () => {
  await api?.close();
});

const status = async (sessionId: string) => (await api.store.getSession(sessionId))?.status;

describe("me { sessions }", () => {
  test("lists every device with its user agent and address, and flags the calling one as current", async () => {
    const { creds } = await createAccount(api);
    const phone = await logInOk(api, creds, "Phone/1.0");
    const laptop = await logInOk(api, creds, "Laptop/2.0");

    const res = await api.graphql(MySessionsDocument, {}, { token: laptop.accessToken });

    expect(res.status).toBe(200);
    const sessions = res.data!.me.sessions;
    expect(sessions.map((s) => s.id)).toEqual([laptop.session.id, phone.session.id]);
    expect(sessions[0]).toMatchObject({ status: "ACTIVE", current: true, userAgent: "Laptop/2.0", ipAddress: expect.stringContaining("127.0.0.1") });
    expect(sessions[1]).toMatchObject({ status: "ACTIVE", current: false, userAgent: "Phone/1.0" });
    for (const session of sessions) {
      expect(Date.parse(session.lastUsedAt)).toBeGreaterThanOrEqual(Date.parse(session.createdAt));
      expect(Date.parse(session.expiresAt)).toBeGreaterThan(Date.now());
    }
  });
});

describe("revokeSession", () => {
  test("ends one of the caller's other sessions, whose token gets 401 at once", async () => {
    const { creds } = await createAccount(api);
    const phone = await logInOk(api, creds);
    const laptop = await logInOk(api, creds);

    const res = await api.graphql(RevokeSessionDocument, { sessionId: phone.session.id }, { token: laptop.accessToken });

    expect(res.data?.revokeSession).toMatchObject({ id: phone.session.id, status: "REVOKED", current: false });
    expect((await api.graphql(MeDocument, {}, { token: phone.accessToken })).status).toBe(401);
    expect((await api.graphql(MeDocument, {}, { token: laptop.accessToken })).status).toBe(200);
  });

  test("refuses a stranger's session with 403 FORBIDDEN and changes nothing", async () => {
    const victim = await accountWithSession(api);
    const stranger = await accountWithSession(api);

    const res = await api.graphql(RevokeSessionDocument, { sessionId: victim.payload.session.id }, { token: stranger.payload.accessToken });

    expect(res.status).toBe(403);
    expect(errorCode(res)).toBe("FORBIDDEN");
    expect(await status(victim.payload.session.id)).toBe("ACTIVE");
    expect((await api.graphql(MeDocument, {}, { token: victim.payload.accessToken })).status).toBe(200);
  });

  test("answers an unknown session id exactly as a stranger's (no probing)", async () => {
    const caller = await accountWithSession(api);
    const res = await api.graphql(RevokeSessionDocument, { sessionId: "00000000-0000-4000-8000-000000000000" }, { token: caller.payload.accessToken });
    expect(res.status).toBe(403);
    expect(errorCode(res)).toBe("FORBIDDEN");
  });

  test("lets an ADMIN revoke anyone's session, recorded with the admin as actor", async () => {
    const admin = await accountWithSession(api, { roles: ["ADMIN"] });
    const user = await accountWithSession(api);

    const res = await api.graphql(RevokeSessionDocument, { sessionId: user.payload.session.id }, { token: admin.payload.accessToken });

    expect(res.status).toBe(200);
    expect(res.data?.revokeSession).toMatchObject({ id: user.payload.session.id, status: "REVOKED", current: false });
    expect((await api.graphql(MeDocument, {}, { token: user.payload.accessToken })).status).toBe(401);
    const events = await api.store.listAuditEvents({ userId: user.user.id, limit: 10, before: null });
    expect(events.find((e) => e.type === "SESSION_REVOKED")).toMatchObject({ sessionId: user.payload.session.id, actorId: admin.user.id });
  });

  test("returns an already-ended session unchanged, without error", async () => {
    const { creds } = await createAccount(api);
    const phone = await logInOk(api, creds);
    const laptop = await logInOk(api, creds);
    await api.graphql(LogoutDocument, {}, { token: phone.accessToken });

    const res = await api.graphql(RevokeSessionDocument, { sessionId: phone.session.id }, { token: laptop.accessToken });

    expect(res.status).toBe(200);
    expect(res.data?.revokeSession).toMatchObject({ id: phone.session.id, status: "LOGGED_OUT" });
    expect(await status(phone.session.id)).toBe("LOGGED_OUT");
  });
});

describe("revokeAllSessions", () => {
  test("without includeCurrent ends the other sessions, returns how many, and keeps the caller's", async () => {
    const { creds } = await createAccount(api);
    const others = [await logInOk(api, creds), await logInOk(api, creds)];
    const current = await logInOk(api, creds);

    const res = await api.graphql(RevokeAllSessionsDocument, {}, { token: current.accessToken });

    expect(res.data?.revokeAllSessions).toBe(2);
    for (const other of others) expect(await status(other.session.id)).toBe("REVOKED");
    expect((await api.graphql(MeDocument, {}, { token: current.accessToken })).status).toBe(200);
    // nothing left to end
    expect((await api.graphql(RevokeAllSessionsDocument, { includeCurrent: false }, { token: current.accessToken })).data?.revokeAllSessions).toBe(0);
  });

  test("with includeCurrent ends the calling session too", async () => {
    const { creds } = await createAccount(api);
    const other = await logInOk(api, creds);
    const current = await logInOk(api, creds);

    const res = await api.graphql(RevokeAllSessionsDocument, { includeCurrent: true }, { token: current.accessToken });

    expect(res.data?.revokeAllSessions).toBe(2);
    expect(await status(other.session.id)).toBe("REVOKED");
    expect(await status(current.session.id)).toBe("REVOKED");
    expect((await api.graphql(MeDocument, {}, { token: current.accessToken })).status).toBe(401);
  });
});

describe("changePassword", () => {
  test("ends every other session but keeps the caller's; only the new password logs in", async () => {
    const { creds } = await createAccount(api);
    const other = await logInOk(api, creds);
    const current = await logInOk(api, creds);
    const newPassword = `${creds.password} and a new one`;

    const res = await api.graphql(ChangePasswordDocument, { currentPassword: creds.password, newPassword }, { token: current.accessToken });

    expect(res.data?.changePassword).toBe(true);
    expect(await status(other.session.id)).toBe("REVOKED");
    expect((await api.graphql(MeDocument, {}, { token: other.accessToken })).status).toBe(401);
    expect((await api.graphql(MeDocument, {}, { token: current.accessToken })).status).toBe(200);
    expect((await logIn(api, creds)).status).toBe(401);
    expect((await logIn(api, { ...creds, password: newPassword })).status).toBe(200);
  });

  test("refuses a wrong current password with 400 and leaves every session valid", async () => {
    const { creds } = await createAccount(api);
    const other = await logInOk(api, creds);
    const current = await logInOk(api, creds);

    const res = await api.graphql(
      ChangePasswordDocument,
      { currentPassword: "not the password at all", newPassword: "a perfectly fine new password" },
      { token: current.accessToken },
    );

    expect(res.status).toBe(400);
    expect(errorCode(res)).toBe("BAD_USER_INPUT");
    expect((await api.graphql(MeDocument, {}, { token: current.accessToken })).status).toBe(200);
    expect((await api.graphql(MeDocument, {}, { token: other.accessToken })).status).toBe(200);
  });

  test("applies the password rules to the new password", async () => {
    const { creds } = await createAccount(api);
    const current = await logInOk(api, creds);
    const res = await api.graphql(ChangePasswordDocument, { currentPassword: creds.password, newPassword: "short" }, { token: current.accessToken });
    expect(res.status).toBe(400);
    expect(errorCode(res)).toBe("BAD_USER_INPUT");
    expect((await logIn(api, creds)).status).toBe(200);
  });
});
