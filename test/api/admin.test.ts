import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  ChangePasswordDocument,
  CreateUserDocument,
  DeleteUserDocument,
  DisableUserDocument,
  EnableUserDocument,
  LogoutDocument,
  MeDocument,
  MyAuditEventsDocument,
  RenewTokenDocument,
  RevokeSessionDocument,
  SignUpDocument,
  UserAuditEventsDocument,
  UserByIdDocument,
  UserStatusDocument,
} from "../generated/graphql.js";
import { errorCode, newCredentials, startTestApi, type TestApi } from "../support/api.js";
import { accountWithSession, createAccount, logIn, logInOk } from "../support/accounts.js";

let api: TestApi;
let admin: Awaited<ReturnType<typeof accountWithSession>>;
beforeAll(async () => {
  api = await startTestApi({ SESSION_LIMIT: "0", REFRESH_REUSE_GRACE: "0", RATE_LIMIT_ENABLED: "false" });
  admin = await accountWithSession(api, { roles: ["ADMIN"], prefix: "admin" });
});
afterAll(async () => {
  await api?.close();
});

const asAdmin = {
  get token() {
    return admin.payload.accessToken;
  },
};

describe("createUser and user(id)", () => {
  test("an ADMIN creates a user with roles and profile, and reads it back with its sessions", async () => {
    const creds = newCredentials("made");
    const res = await api.graphql(CreateUserDocument, { input: { ...creds, roles: ["SUPPORT_AGENT"], profile: { team: "blue" } } }, asAdmin);
    expect(res.status).toBe(200);
    const created = res.data!.createUser;
    expect(created).toMatchObject({ email: creds.email, roles: ["SUPPORT_AGENT"], profile: { team: "blue" } });
    await logInOk(api, creds, "their-browser");

    const found = await api.graphql(UserByIdDocument, { id: created.id }, asAdmin);
    expect(found.data?.user).toMatchObject({ id: created.id, sessions: [{ status: "ACTIVE", userAgent: "their-browser", current: false }] });
  });

  test("refuses both to a user without the ADMIN role with 403", async () => {
    const user = await accountWithSession(api);
    const create = await api.graphql(CreateUserDocument, { input: newCredentials() }, { token: user.payload.accessToken });
    expect(create.status).toBe(403);
    expect(errorCode(create)).toBe("FORBIDDEN");
    // user(id) is nullable: the refusal nulls the only root field, so the operation failed as a whole
    const read = await api.graphql(UserByIdDocument, { id: admin.user.id }, { token: user.payload.accessToken });
    expect(read.status).toBe(403);
    expect(errorCode(read)).toBe("FORBIDDEN");
    expect(read.data?.user).toBeNull();
  });

  test("signUp cannot choose roles", async () => {
    const res = await fetch(api.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        query: "mutation($input: SignUpInput!) { signUp(input: $input) { user { roles } } }",
        variables: { input: { ...newCredentials(), roles: ["ADMIN"] } },
      }),
    });
    expect(res.status).toBe(400);
  });
});

describe("disableUser / enableUser", () => {
  test("disabling ends all the user's sessions at once: their tokens get 401 on the next request", async () => {
    const { creds, user } = await createAccount(api);
    const phone = await logInOk(api, creds);
    const laptop = await logInOk(api, creds);

    const res = await api.graphql(DisableUserDocument, { id: user.id }, asAdmin);

    expect(res.status).toBe(200);
    expect(res.data?.disableUser.disabledAt).toEqual(expect.any(String));
    for (const session of [phone, laptop]) {
      expect((await api.graphql(MeDocument, {}, { token: session.accessToken })).status).toBe(401);
      expect((await api.graphql(RenewTokenDocument, { refreshToken: session.refreshToken })).status).toBe(401);
      expect((await api.store.getSession(session.session.id))?.status).toBe("REVOKED");
    }
    const login = await logIn(api, creds);
    expect(login.status).toBe(401);
    expect(errorCode(login)).toBe("UNAUTHENTICATED");
    const events = await api.store.listAuditEvents({ userId: user.id, limit: 10, before: null });
    expect(events.find((e) => e.type === "USER_DISABLED")).toMatchObject({ actorId: admin.user.id, detail: { sessionsRevoked: 2 } });
  });

  test("enabling lets the user log in again; the ended sessions stay ended", async () => {
    const { creds, user } = await accountWithSession(api);
    await api.graphql(DisableUserDocument, { id: user.id }, asAdmin);

    const res = await api.graphql(EnableUserDocument, { id: user.id }, asAdmin);

    expect(res.data?.enableUser.disabledAt).toBeNull();
    expect((await api.graphql(UserStatusDocument, { id: user.id }, asAdmin)).data?.user?.disabledAt).toBeNull();
    expect((await logIn(api, creds)).status).toBe(200);
    const events = await api.store.listAuditEvents({ userId: user.id, limit: 10, before: null });
    expect(events.find((e) => e.type === "USER_ENABLED")).toMatchObject({ actorId: admin.user.id });
  });

  test("a user without the ADMIN role gets 403 and nothing changes", async () => {
    const target = await accountWithSession(api);
    const caller = await accountWithSession(api);
    const res = await api.graphql(DisableUserDocument, { id: target.user.id }, { token: caller.payload.accessToken });
    expect(res.status).toBe(403);
    expect((await api.graphql(MeDocument, {}, { token: target.payload.accessToken })).status).toBe(200);
  });

  test("an ADMIN cannot disable themself, and an unknown id is BAD_USER_INPUT", async () => {
    const self = await api.graphql(DisableUserDocument, { id: admin.user.id }, asAdmin);
    expect(self.status).toBe(400);
    const unknown = await api.graphql(DisableUserDocument, { id: "00000000-0000-4000-8000-000000000000" }, asAdmin);
    expect(unknown.status).toBe(400);
    expect((await api.graphql(MeDocument, {}, asAdmin)).status).toBe(200);
  });
});

describe("deleteUser", () => {
  test("deleting ends the user's tokens at once; the account is gone but its audit trail stays", async () => {
    const { creds, user, payload } = await accountWithSession(api);

    const res = await api.graphql(DeleteUserDocument, { id: user.id }, asAdmin);

    expect(res.data?.deleteUser).toBe(true);
    expect((await api.graphql(MeDocument, {}, { token: payload.accessToken })).status).toBe(401);
    expect((await api.graphql(RenewTokenDocument, { refreshToken: payload.refreshToken })).status).toBe(401);
    expect((await logIn(api, creds)).status).toBe(401);
    expect((await api.graphql(UserByIdDocument, { id: user.id }, asAdmin)).data?.user).toBeNull();
    expect((await api.graphql(DeleteUserDocument, { id: user.id }, asAdmin)).data?.deleteUser).toBe(false);
    const events = await api.store.listAuditEvents({ userId: user.id, limit: 10, before: null });
    expect(events.find((e) => e.type === "USER_DELETED")).toMatchObject({ actorId: admin.user.id, detail: { sessionsRevoked: 1 } });
  });
});

describe("auditEvents", () => {
  test("records each step of an account's life, readable by its owner, without any secret", async () => {
    const { creds, user } = await createAccount(api);
    const first = await logInOk(api, creds, "Browser/A");
    expect((await logIn(api, { ...creds, password: "not my password at all" })).status).toBe(401);
    const renewed = (await api.graphql(RenewTokenDocument, { refreshToken: first.refreshToken })).data!.renewToken;
    // presenting the rotated token again is reuse: the session is revoked
    expect((await api.graphql(RenewTokenDocument, { refreshToken: first.refreshToken })).status).toBe(401);
    const second = await logInOk(api, creds, "Browser/B");
    const third = await logInOk(api, creds, "Browser/C");
    await api.graphql(RevokeSessionDocument, { sessionId: third.session.id }, { token: second.accessToken });
    const newPassword = `${creds.password} changed`;
    await api.graphql(ChangePasswordDocument, { currentPassword: creds.password, newPassword }, { token: second.accessToken });

    const res = await api.graphql(MyAuditEventsDocument, {}, { token: second.accessToken });

    expect(res.status).toBe(200);
    const events = res.data!.me.auditEvents;
    const kinds = events.map((e) => `${e.type}:${e.outcome}`);
    for (const kind of [
      "USER_CREATED:SUCCESS",
      "LOGIN:SUCCESS",
      "LOGIN:FAILURE",
      "TOKEN_RENEWED:SUCCESS",
      "REFRESH_TOKEN_REUSED:FAILURE",
      "SESSION_REVOKED:SUCCESS",
      "PASSWORD_CHANGED:SUCCESS",
    ]) {
      expect(kinds).toContain(kind);
    }
    expect(events.find((e) => e.type === "LOGIN" && e.outcome === "FAILURE")?.detail).toEqual({ reason: "wrong password" });
    expect(events.find((e) => e.type === "USER_CREATED")?.detail).toMatchObject({ actor: "cli" });
    expect(events.find((e) => e.type === "REFRESH_TOKEN_REUSED")).toMatchObject({
      sessionId: first.session.id,
      ipAddress: expect.stringContaining("127.0.0.1"),
    });
    expect(events.find((e) => e.type === "LOGIN" && e.sessionId === second.session.id)).toMatchObject({
      userAgent: "Browser/B",
      ipAddress: expect.stringContaining("127.0.0.1"),
      actorId: null,
    });
    const times = events.map((e) => Date.parse(e.createdAt));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    const text = JSON.stringify(events);
    for (const secret of [creds.password, newPassword, first.refreshToken, renewed.refreshToken, first.accessToken]) expect(text).not.toContain(secret);
    expect(text).not.toMatch(/argon2|secretHash|passwordHash/i);
    expect(events.every((e) => e.type !== "LOGOUT")).toBe(true);

    await api.graphql(LogoutDocument, {}, { token: second.accessToken });
    // the outbox worker records MAIL_SENT (the password-change notice) whenever it delivers, possibly after the logout
    const seenByAdmin = await api.graphql(UserAuditEventsDocument, { id: user.id, limit: 3 }, asAdmin);
    const newest = seenByAdmin.data?.user?.auditEvents ?? [];
    expect(newest.length).toBeLessThanOrEqual(3);
    expect(newest.find((event) => event.type !== "MAIL_SENT")).toMatchObject({ type: "LOGOUT", sessionId: second.session.id });
  });

  test("pages with limit and before", async () => {
    const { creds } = await createAccount(api);
    await logInOk(api, creds);
    const payload = await logInOk(api, creds);
    const all = (await api.graphql(MyAuditEventsDocument, {}, { token: payload.accessToken })).data!.me.auditEvents;
    expect(all.length).toBeGreaterThanOrEqual(3);

    const newest = (await api.graphql(MyAuditEventsDocument, { limit: 1 }, { token: payload.accessToken })).data!.me.auditEvents;
    expect(newest).toEqual([all[0]]);
    const older = (await api.graphql(MyAuditEventsDocument, { before: all[0]!.createdAt }, { token: payload.accessToken })).data!.me.auditEvents;
    expect(older.every((e) => Date.parse(e.createdAt) < Date.parse(all[0]!.createdAt))).toBe(true);

    const tooMany = await api.graphql(MyAuditEventsDocument, { limit: 1000 }, { token: payload.accessToken });
    expect(tooMany.status).toBe(400);
    expect(errorCode(tooMany)).toBe("BAD_USER_INPUT");
  });

  test("a stranger cannot read someone's events: FORBIDDEN", async () => {
    const owner = await accountWithSession(api);
    const stranger = await accountWithSession(api);
    const res = await api.graphql(UserAuditEventsDocument, { id: owner.user.id }, { token: stranger.payload.accessToken });
    expect(errorCode(res)).toBe("FORBIDDEN");
    expect(res.data?.user ?? null).toBeNull();
    expect(JSON.stringify(res)).not.toContain("LOGIN");
  });

  test("an ADMIN reads anyone's events, including the actions of administrators", async () => {
    const { user, payload } = await accountWithSession(api);
    await api.graphql(RevokeSessionDocument, { sessionId: payload.session.id }, asAdmin);
    const res = await api.graphql(UserAuditEventsDocument, { id: user.id }, asAdmin);
    expect(res.status).toBe(200);
    expect(res.data?.user?.auditEvents[0]).toMatchObject({ type: "SESSION_REVOKED", actorId: admin.user.id, sessionId: payload.session.id });
  });

  test("sign-up is recorded too", async () => {
    const creds = newCredentials();
    const payload = (await api.graphql(SignUpDocument, { input: creds })).data!.signUp;
    const events = (await api.graphql(MyAuditEventsDocument, {}, { token: payload.accessToken })).data!.me.auditEvents;
    expect(events.map((e) => e.type)).toContain("SIGNED_UP");
  });
});
