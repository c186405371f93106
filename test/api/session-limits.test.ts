import pg from "pg";
import { afterEach, describe, expect, test } from "vitest";
import { MeDocument } from "../generated/graphql.js";
import { errorCode, startTestApi, type TestApi } from "../support/api.js";
import { createAccount, logIn, logInOk } from "../support/accounts.js";

// these tests are about sessions, not throttling
const BASE = { RATE_LIMIT_ENABLED: "false" };

let api: TestApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

async function start(env: Record<string, string>): Promise<TestApi> {
  api = await startTestApi({ ...BASE, ...env });
  return api;
}

async function activeSessionIds(api: TestApi, userId: string): Promise<string[]> {
  return (await api.store.listUserSessions(userId)).filter((s) => s.status === "ACTIVE").map((s) => s.id);
}

describe("SESSION_LIMIT=2 with evict-oldest", () => {
  test("a third login replaces the oldest session only, whose token gets 401 at once", async () => {
    const api = await start({ SESSION_LIMIT: "2", SESSION_LIMIT_STRATEGY: "evict-oldest" });
    const { creds, user } = await createAccount(api);
    const first = await logInOk(api, creds, "phone");
    const second = await logInOk(api, creds, "laptop");
    expect(await activeSessionIds(api, user.id)).toHaveLength(2);

    const third = await logInOk(api, creds, "tablet");

    expect((await api.store.getSession(first.session.id))?.status).toBe("REPLACED");
    expect((await activeSessionIds(api, user.id)).sort()).toEqual([second.session.id, third.session.id].sort());
    expect((await api.graphql(MeDocument, {}, { token: first.accessToken })).status).toBe(401);
    expect((await api.graphql(MeDocument, {}, { token: second.accessToken })).status).toBe(200);
    const replaced = await api.store.listAuditEvents({ userId: user.id, limit: 50, before: null });
    expect(replaced.find((e) => e.type === "SESSION_REPLACED")).toMatchObject({ sessionId: first.session.id, detail: { by: third.session.id } });
  });
});

describe("SESSION_LIMIT_STRATEGY=reject", () => {
  test("refuses the login past the limit with 409 SESSION_LIMIT_REACHED and keeps the existing session", async () => {
    const api = await start({ SESSION_LIMIT: "1", SESSION_LIMIT_STRATEGY: "reject" });
    const { creds, user } = await createAccount(api);
    const first = await logInOk(api, creds);

    const refused = await logIn(api, creds);

    expect(refused.status).toBe(409);
    expect(errorCode(refused)).toBe("SESSION_LIMIT_REACHED");
    expect(refused.data ?? null).toBeNull();
    expect(await activeSessionIds(api, user.id)).toEqual([first.session.id]);
    expect((await api.graphql(MeDocument, {}, { token: first.accessToken })).status).toBe(200);
  });

  test("lets exactly one of six concurrent logins take the last slot", async () => {
    const api = await start({ SESSION_LIMIT: "1", SESSION_LIMIT_STRATEGY: "reject", ARGON2_MAX_CONCURRENT: "6" });
    const { creds, user } = await createAccount(api);

    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => logIn(api, creds, `racer-${i}`)));

    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 409, 409, 409, 409, 409]);
    const winner = results.find((r) => r.status === 200)!.data!.login;
    expect(await activeSessionIds(api, user.id)).toEqual([winner.session.id]);
  });

  test("does not count a session that sat idle past SESSION_IDLE_TIMEOUT", async () => {
    const api = await start({ SESSION_LIMIT: "1", SESSION_LIMIT_STRATEGY: "reject", SESSION_IDLE_TIMEOUT: "1s" });
    const { creds } = await createAccount(api);
    const forgotten = await logInOk(api, creds);
    await new Promise((resolve) => setTimeout(resolve, 1_100));

    const next = await logIn(api, creds);

    expect(next.status).toBe(200);
    expect((await api.graphql(MeDocument, {}, { token: forgotten.accessToken })).status).toBe(401);
  });

  test("does not count an expired session, and the sweep marks it EXPIRED", async () => {
    const api = await start({ SESSION_LIMIT: "1", SESSION_LIMIT_STRATEGY: "reject" });
    const { creds } = await createAccount(api);
    const forgotten = await logInOk(api, creds);
    await expireSession(api.databaseUrl, forgotten.session.id);

    expect((await logIn(api, creds)).status).toBe(200);
    expect((await api.store.getSession(forgotten.session.id))?.status).toBe("ACTIVE");
    await api.app.maintenance.runOnce();
    expect((await api.store.getSession(forgotten.session.id))?.status).toBe("EXPIRED");
  });
});

describe("racing logins with evict-oldest", () => {
  test("six concurrent logins all succeed and leave exactly one ACTIVE session", async () => {
    const api = await start({ SESSION_LIMIT: "1", SESSION_LIMIT_STRATEGY: "evict-oldest", ARGON2_MAX_CONCURRENT: "6" });
    const { creds, user } = await createAccount(api);

    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => logIn(api, creds, `racer-${i}`)));

    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
    const active = await activeSessionIds(api, user.id);
    expect(active).toHaveLength(1);
    expect(results.map((r) => r.data!.login.session.id)).toContain(active[0]);
    const sessions = await api.store.listUserSessions(user.id);
    expect(sessions.filter((s) => s.status === "REPLACED")).toHaveLength(5);
  });
});

describe("SESSION_LIMIT=0", () => {
  test("means unlimited", async () => {
    const api = await start({ SESSION_LIMIT: "0" });
    const { creds, user } = await createAccount(api);
    for (let i = 0; i < 4; i++) await logInOk(api, creds);
    expect(await activeSessionIds(api, user.id)).toHaveLength(4);
  });
});

/** Moves a session's expiry into the past, as if its refresh token had lapsed long ago. */
async function expireSession(databaseUrl: string, sessionId: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query("UPDATE sessions SET expires_at = now() - interval '1 minute' WHERE id = $1", [sessionId]);
  } finally {
    await client.end();
  }
}
