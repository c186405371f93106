import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { LoginDocument, MeDocument, MySessionsDocument, RenewTokenDocument, SignUpDocument } from "../generated/graphql.js";
import { errorCode, newCredentials, startTestApi, type TestApi } from "../support/api.js";

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => {
  await api?.close();
});

async function signUp() {
  const creds = newCredentials();
  const res = await api.graphql(SignUpDocument, { input: creds });
  return { creds, payload: res.data!.signUp };
}

describe("renewToken", () => {
  test("rotates: new tokens work, the old refresh token stops working", async () => {
    const { payload } = await signUp();
    const renewed = await api.graphql(RenewTokenDocument, { refreshToken: payload.refreshToken });
    expect(renewed.status).toBe(200);
    const next = renewed.data!.renewToken;
    expect(next.refreshToken).not.toBe(payload.refreshToken);
    expect(next.session.id).toBe(payload.session.id);
    expect((await api.graphql(MeDocument, {}, { token: next.accessToken })).status).toBe(200);
    const again = await api.graphql(RenewTokenDocument, { refreshToken: next.refreshToken });
    expect(again.status).toBe(200);
  });

  test("reuse of a rotated token outside the grace window revokes the whole session", async () => {
    const graceless = await startTestApi({ REFRESH_REUSE_GRACE: "0" });
    try {
      const payload = (await graceless.graphql(SignUpDocument, { input: newCredentials() })).data!.signUp;
      const next = (await graceless.graphql(RenewTokenDocument, { refreshToken: payload.refreshToken })).data!.renewToken;
      const reuse = await graceless.graphql(RenewTokenDocument, { refreshToken: payload.refreshToken });
      expect(reuse.status).toBe(401);
      expect(errorCode(reuse)).toBe("UNAUTHENTICATED");
      // the legitimate holder's tokens die with the session
      expect((await graceless.graphql(RenewTokenDocument, { refreshToken: next.refreshToken })).status).toBe(401);
      expect((await graceless.graphql(MeDocument, {}, { token: next.accessToken })).status).toBe(401);
      const session = await graceless.store.getSession(payload.session.id);
      expect(session?.status).toBe("REVOKED");
    } finally {
      await graceless.close();
    }
  });

  test("within the grace window the preceding token gets the same new refresh token", async () => {
    const { payload } = await signUp();
    const [a, b] = await Promise.all([
      api.graphql(RenewTokenDocument, { refreshToken: payload.refreshToken }),
      api.graphql(RenewTokenDocument, { refreshToken: payload.refreshToken }),
    ]);
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    expect(a.data!.renewToken.refreshToken).toBe(b.data!.renewToken.refreshToken);
    expect((await api.store.getSession(payload.session.id))?.status).toBe("ACTIVE");
    const third = await api.graphql(RenewTokenDocument, { refreshToken: payload.refreshToken });
    expect(third.data?.renewToken.refreshToken).toBe(a.data!.renewToken.refreshToken);
    // the converged token still rotates normally
    expect((await api.graphql(RenewTokenDocument, { refreshToken: a.data!.renewToken.refreshToken })).status).toBe(200);
  });

  test("a token two rotations old is reuse even within the grace window", async () => {
    const { payload } = await signUp();
    const second = (await api.graphql(RenewTokenDocument, { refreshToken: payload.refreshToken })).data!.renewToken;
    await api.graphql(RenewTokenDocument, { refreshToken: second.refreshToken });
    const reuse = await api.graphql(RenewTokenDocument, { refreshToken: payload.refreshToken });
    expect(reuse.status).toBe(401);
    expect((await api.store.getSession(payload.session.id))?.status).toBe("REVOKED");
  });

  test("a forged secret for a real token id is refused without revoking the session", async () => {
    const { payload } = await signUp();
    const [id] = payload.refreshToken.split(".");
    const forged = await api.graphql(RenewTokenDocument, { refreshToken: `${id}.${"A".repeat(43)}` });
    expect(forged.status).toBe(401);
    expect((await api.store.getSession(payload.session.id))?.status).toBe("ACTIVE");
  });

  test("refuses garbage and an access token in place of a refresh token", async () => {
    const { payload } = await signUp();
    for (const refreshToken of ["", "garbage", payload.accessToken]) {
      const res = await api.graphql(RenewTokenDocument, { refreshToken });
      expect(res.status).toBe(401);
      expect(errorCode(res)).toBe("UNAUTHENTICATED");
    }
  });
});

describe("one active session per account (default)", () => {
  test("a new login replaces the older session, whose access token gets 401 at once", async () => {
    const { creds, payload: first } = await signUp();
    const second = (await api.graphql(LoginDocument, { input: { login: creds.email, password: creds.password } })).data!.login;
    const old = await api.graphql(MeDocument, {}, { token: first.accessToken });
    expect(old.status).toBe(401);
    expect((await api.store.getSession(first.session.id))?.status).toBe("REPLACED");
    expect((await api.graphql(RenewTokenDocument, { refreshToken: first.refreshToken })).status).toBe(401);
    const sessions = await api.graphql(MySessionsDocument, {}, { token: second.accessToken });
    const active = sessions.data!.me.sessions.filter((s) => s.status === "ACTIVE");
    expect(active).toHaveLength(1);
    expect(active[0]).toMatchObject({ id: second.session.id, current: true });
  });
});

describe("a second API instance on the same database", () => {
  test("sees a logout made through the first instance on its very next request", async () => {
    const other = await startTestApi({}, api.databaseUrl);
    try {
      const { payload } = await signUp();
      expect((await other.graphql(MeDocument, {}, { token: payload.accessToken })).status).toBe(200);
      const logout = await fetch(api.url, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${payload.accessToken}` },
        body: JSON.stringify({ query: "mutation { logout }" }),
      });
      expect(logout.status).toBe(200);
      const after = await other.graphql(MeDocument, {}, { token: payload.accessToken });
      expect(after.status).toBe(401);
    } finally {
      await other.close();
    }
  });
});
