import { createHash, randomBytes, randomUUID } from "node:crypto";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import {
  DuplicateError,
  type NewAuditEvent,
  type NewRefreshToken,
  type NewSession,
  type NewUser,
  type SessionLimitDecision,
  type SessionRecord,
  type Store,
} from "../src/auth/ports/store.js";
import { describeMfaContract } from "./store-contract-mfa.js";
import {
  describeResetRedemptionContract,
  describeSecurityChangeContract,
  describeSessionPageContract,
  describeTokenPruneContract,
} from "./store-contract-security.js";
import { describeMailStoreContract } from "./store-contract-mail.js";

/** Opens an empty store for one test; `cleanup` closes it and throws its data away. */
export type OpenStore = () => Promise<{ store: Store; cleanup(): Promise<void> }>;

const T0 = Date.parse("2030-01-01T00:00:00.000Z");
/** A fixed instant, `seconds` after T0: the suite never depends on the wall clock. */
export const at = (seconds: number): Date => new Date(T0 + seconds * 1000);
const random = (): string => randomBytes(6).toString("hex");

export const unlimited: SessionLimitDecision = () => ({ replace: [] });
const keepOnlyNewest: SessionLimitDecision = (active) => ({ replace: active.map((session) => session.id) });
const rejectWhenOneActive: SessionLimitDecision = (active) => (active.length >= 1 ? "reject" : { replace: [] });

export function newUser(overrides: Partial<NewUser> = {}): NewUser {
  const id = random();
  return {
    email: `user-${id}@example.com`,
    username: `user_${id}`,
    passwordHash: `$argon2id$v=19$m=19456,t=2,p=1$${id}`,
    roles: ["USER"],
    profile: { displayName: "Ada Lovelace", locale: "en-GB", preferences: { theme: "dark", tags: ["a", "b"] } },
    ...overrides,
  };
}

export function newSession(userId: string, createdAt = at(0), expiresAt = at(3600)): NewSession {
  return { id: randomUUID(), userId, createdAt, expiresAt, userAgent: "vitest", ipAddress: "127.0.0.1" };
}

export function newToken(sessionId: string, createdAt = at(0), expiresAt = at(3600)): NewRefreshToken {
  return { id: random(), sessionId, secretHash: createHash("sha256").update(random()).digest("hex"), createdAt, expiresAt };
}

function newAuditEvent(overrides: Partial<NewAuditEvent> = {}): NewAuditEvent {
  return {
    userId: randomUUID(),
    sessionId: randomUUID(),
    actorId: null,
    type: "LOGIN",
    outcome: "SUCCESS",
    ipAddress: "127.0.0.1",
    userAgent: "vitest",
    detail: { reason: "none", attempt: 1 },
    createdAt: at(0),
    ...overrides,
  };
}

const byId = <T extends { id: string }>(a: T, b: T): number => a.id.localeCompare(b.id);

/**
 * The behaviour every Store must have, run unchanged against each implementation
 * (memory, PostgreSQL, MongoDB), as Lucia's adapter test suite does.
 */
export function describeStoreContract(name: string, openStore: OpenStore): void {
  describe(`${name} store`, () => {
    let store: Store;
    let cleanup: () => Promise<void>;

    beforeEach(async () => {
      ({ store, cleanup } = await openStore());
    });
    afterEach(async () => {
      await cleanup();
    });

    async function createUser(overrides: Partial<NewUser> = {}) {
      return store.createUser(newUser(overrides));
    }

    async function login(userId: string, createdAt = at(0), expiresAt = at(3600)) {
      const session = newSession(userId, createdAt, expiresAt);
      const token = newToken(session.id, createdAt, expiresAt);
      const result = await store.startSession(session, token, unlimited, createdAt, await stampOf(userId));
      if (!result.ok) throw new Error("login refused");
      return { session: result.session, token };
    }

    async function stampOf(userId: string): Promise<string> {
      return (await store.findUserById(userId))!.securityStamp;
    }

    /** Runs `count` calls at once, after warming a pooled store's connections so the racers really overlap. */
    async function race<T>(count: number, call: (index: number) => Promise<T>): Promise<T[]> {
      await Promise.all(Array.from({ length: count }, () => store.ping()));
      return Promise.all(Array.from({ length: count }, (_, index) => call(index)));
    }

    function successorOf(sessionId: string, now = at(60)) {
      return { ...newToken(sessionId, now, at(7200)), sealedForPredecessor: `sealed-${random()}` };
    }

    describe("users", () => {
      test("createUser() returns the stored account as a plain record", async () => {
        const input = newUser();
        const user = await store.createUser(input);
        expect(Object.keys(user).sort()).toEqual([
          "createdAt",
          "disabledAt",
          "email",
          "emailVerifiedAt",
          "id",
          "passwordHash",
          "profile",
          "roles",
          "securityStamp",
          "username",
        ]);
        expect(user).toMatchObject({ email: input.email, username: input.username, passwordHash: input.passwordHash, disabledAt: null });
        expect(user.id).toEqual(expect.any(String));
        expect(user.securityStamp).toEqual(expect.any(String));
        expect(user.roles).toEqual(["USER"]);
        expect(user.profile).toEqual(input.profile);
        expect(Object.getPrototypeOf(user.profile)).toBe(Object.prototype);
        expect(user.createdAt).toBeInstanceOf(Date);
        expect(await store.findUserById(user.id)).toEqual(user);
      });

      test("createUser() refuses a taken email with DuplicateError('email')", async () => {
        const first = await createUser();
        const error = await store.createUser(newUser({ email: first.email })).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(DuplicateError);
        expect((error as DuplicateError).field).toBe("email");
      });

      test("createUser() refuses a taken username with DuplicateError('username')", async () => {
        const first = await createUser();
        const error = await store.createUser(newUser({ username: first.username })).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(DuplicateError);
        expect((error as DuplicateError).field).toBe("username");
      });

      test("createUser() lets any number of accounts go without a username", async () => {
        await createUser({ username: null });
        const second = await createUser({ username: null, roles: [], profile: {} });
        expect(second).toMatchObject({ username: null, roles: [], profile: {} });
      });

      test("findUserById() returns null for an unknown or malformed id", async () => {
        await createUser();
        expect(await store.findUserById(randomUUID())).toBeNull();
        expect(await store.findUserById("not-an-id")).toBeNull();
      });

      test("findUserByLogin() finds an account by email or by username", async () => {
        const user = await createUser();
        await createUser();
        expect(await store.findUserByLogin(user.email)).toEqual(user);
        expect(await store.findUserByLogin(user.username!)).toEqual(user);
        expect(await store.findUserByLogin(`nobody-${random()}@example.com`)).toBeNull();
      });

      test("upgradePasswordHash() replaces the stored hash only while it is still the verified one", async () => {
        const user = await createUser();
        expect(await store.upgradePasswordHash(user.id, "$argon2id$other", "$argon2id$new")).toBe(false);
        expect(await store.findUserById(user.id)).toEqual(user);
        expect(await store.upgradePasswordHash(user.id, user.passwordHash, "$argon2id$new")).toBe(true);
        expect(await store.findUserById(user.id)).toEqual({ ...user, passwordHash: "$argon2id$new" });
        expect(await store.upgradePasswordHash(randomUUID(), user.passwordHash, "$argon2id$new")).toBe(false);
      });

      test("enableUser() clears disabledAt, and returns null for an unknown user", async () => {
        const user = await createUser();
        const changed = await store.applySecurityChange(
          user.id,
          { expectedStamp: null, disabledAt: at(5), endSessions: { status: "REVOKED", exceptSessionId: null } },
          at(5),
        );
        expect(changed).toEqual({ ok: true, sessionsEnded: 0, user: { ...user, disabledAt: at(5), securityStamp: expect.any(String) } });
        expect((await store.findUserById(user.id))?.disabledAt).toEqual(at(5));
        expect(await store.enableUser(user.id)).toMatchObject({ ...user, securityStamp: expect.any(String) });
        expect(await store.enableUser(randomUUID())).toBeNull();
      });

      test("deleteUser() removes the account with its sessions and refresh tokens", async () => {
        const user = await createUser();
        const other = await createUser();
        const { session, token } = await login(user.id);
        const kept = await login(other.id);
        expect(await store.deleteUser(user.id)).toBe(true);
        expect(await store.findUserById(user.id)).toBeNull();
        expect(await store.getSession(session.id)).toBeNull();
        expect(await store.findRefreshToken(token.id)).toBeNull();
        expect(await store.listUserSessions(user.id)).toEqual([]);
        expect(await store.getSession(kept.session.id)).toEqual(kept.session);
        expect(await store.deleteUser(user.id)).toBe(false);
      });
    });

    describe("sessions", () => {
      test("startSession() stores the session and its first refresh token", async () => {
        const user = await createUser();
        const session = newSession(user.id, at(10), at(3610));
        const token = newToken(session.id, at(10), at(3610));
        const result = await store.startSession(session, token, unlimited, at(10), user.securityStamp);
        const expected: SessionRecord = { ...session, status: "ACTIVE", lastUsedAt: at(10), endedAt: null };
        expect(result).toEqual({ ok: true, session: expected, replaced: [] });
        expect(await store.getSession(session.id)).toEqual(expected);
        expect(await store.findRefreshToken(token.id)).toEqual({ ...token, rotatedAt: null, successorId: null, successorSecretSealed: null });
      });

      test("startSession() shows decide the ACTIVE sessions and marks the ones it names REPLACED", async () => {
        const user = await createUser();
        const loggedOut = await login(user.id, at(0));
        const oldest = await login(user.id, at(1));
        const newer = await login(user.id, at(2));
        await store.endSession(loggedOut.session.id, "LOGGED_OUT", at(3));
        let seen: string[] = [];
        const decide: SessionLimitDecision = (active) => {
          seen = active.map((session) => session.id).sort();
          return { replace: [oldest.session.id] };
        };
        const session = newSession(user.id, at(4));
        const result = await store.startSession(session, newToken(session.id, at(4)), decide, at(4), user.securityStamp);
        expect(seen).toEqual([oldest.session.id, newer.session.id].sort());
        expect(result.ok && result.replaced).toEqual([{ ...oldest.session, status: "REPLACED", endedAt: at(4) }]);
        expect(await store.getSession(oldest.session.id)).toMatchObject({ status: "REPLACED", endedAt: at(4) });
        expect(await store.getSession(newer.session.id)).toMatchObject({ status: "ACTIVE", endedAt: null });
      });

      test("startSession() with a 'reject' decision stores nothing and reports SESSION_LIMIT_REACHED", async () => {
        const user = await createUser();
        const first = await login(user.id);
        const session = newSession(user.id);
        const token = newToken(session.id);
        expect(await store.startSession(session, token, rejectWhenOneActive, at(1), user.securityStamp)).toEqual({
          ok: false,
          reason: "SESSION_LIMIT_REACHED",
        });
        expect(await store.getSession(session.id)).toBeNull();
        expect(await store.findRefreshToken(token.id)).toBeNull();
        expect(await store.getSession(first.session.id)).toEqual(first.session);
      });

      test("startSession() lets only one of several racing logins take the last slot", async () => {
        const user = await createUser();
        const results = await race(6, () => {
          const session = newSession(user.id);
          return store.startSession(session, newToken(session.id), rejectWhenOneActive, at(0), user.securityStamp);
        });
        expect(results.filter((result) => result.ok)).toHaveLength(1);
        expect(results.filter((result) => !result.ok)).toHaveLength(5);
        expect(await store.listUserSessions(user.id)).toHaveLength(1);
      });

      test("startSession() leaves exactly one ACTIVE session when racing logins each replace the others", async () => {
        const user = await createUser();
        const results = await race(6, () => {
          const session = newSession(user.id);
          return store.startSession(session, newToken(session.id), keepOnlyNewest, at(0), user.securityStamp);
        });
        expect(results.every((result) => result.ok)).toBe(true);
        const sessions = await store.listUserSessions(user.id);
        expect(sessions.filter((session) => session.status === "ACTIVE")).toHaveLength(1);
        expect(sessions.filter((session) => session.status === "REPLACED")).toHaveLength(5);
      });

      test("getSessionsWithUsers() loads sessions with their users and skips missing ids", async () => {
        const [ada, bob] = [await createUser(), await createUser()];
        const a1 = await login(ada.id);
        const a2 = await login(ada.id, at(1));
        const b1 = await login(bob.id);
        const ids = [a1.session.id, randomUUID(), b1.session.id, "malformed", a2.session.id, a1.session.id];
        const rows = await store.getSessionsWithUsers(ids);
        const expected = [
          { session: a1.session, user: ada },
          { session: a2.session, user: ada },
          { session: b1.session, user: bob },
        ];
        const sort = (list: typeof rows) => [...list].sort((x, y) => byId(x.session, y.session));
        expect(sort(rows)).toEqual(sort(expected));
        expect(await store.getSessionsWithUsers([])).toEqual([]);
      });

      /** @see issue 17: the PostgreSQL store reads this query's timestamps as epoch milliseconds. */
      test("getSessionsWithUsers() returns ended sessions and disabled users with their times to the millisecond", async () => {
        const user = await createUser();
        const { session } = await login(user.id, new Date(T0 + 1_234), new Date(T0 + 3_600_789));
        const change = { expectedStamp: null, disabledAt: new Date(T0 + 9_001), endSessions: { status: "REVOKED", exceptSessionId: null } } as const;
        const changed = await store.applySecurityChange(user.id, change, new Date(T0 + 5_678));
        if (!changed.ok) throw new Error(`applySecurityChange failed: ${changed.reason}`);
        const [row] = await store.getSessionsWithUsers([session.id]);
        expect(row).toEqual({ session: { ...session, status: "REVOKED", endedAt: new Date(T0 + 5_678) }, user: changed.user });
        expect(row?.session.createdAt.getTime()).toBe(T0 + 1_234);
        expect(row?.session.expiresAt.getTime()).toBe(T0 + 3_600_789);
        expect(row?.session.endedAt?.getTime()).toBe(T0 + 5_678);
        expect(row?.user.disabledAt?.getTime()).toBe(T0 + 9_001);
      });

      test("getSession() returns null for an unknown or malformed id", async () => {
        expect(await store.getSession(randomUUID())).toBeNull();
        expect(await store.getSession("malformed")).toBeNull();
      });

      test("endSession() moves an ACTIVE session to the given status", async () => {
        const user = await createUser();
        const { session } = await login(user.id);
        const ended = { ...session, status: "LOGGED_OUT", endedAt: at(9) };
        expect(await store.endSession(session.id, "LOGGED_OUT", at(9))).toEqual(ended);
        expect(await store.getSession(session.id)).toEqual(ended);
      });

      test("endSession() returns an already ended session unchanged", async () => {
        const user = await createUser();
        const { session } = await login(user.id);
        const revoked = await store.endSession(session.id, "REVOKED", at(9));
        expect(await store.endSession(session.id, "LOGGED_OUT", at(20))).toEqual(revoked);
        expect(await store.endSession(randomUUID(), "REVOKED", at(20))).toBeNull();
      });

      test("listUserSessions() lists every session of the user, newest first", async () => {
        const user = await createUser();
        const first = await login(user.id, at(0));
        const third = await login(user.id, at(20));
        const second = await login(user.id, at(10));
        await login((await createUser()).id, at(5));
        await store.endSession(second.session.id, "LOGGED_OUT", at(30));
        const ids = (await store.listUserSessions(user.id)).map((session) => session.id);
        expect(ids).toEqual([third.session.id, second.session.id, first.session.id]);
      });

      test("endUserSessions() ends every ACTIVE session of the user except the one named", async () => {
        const user = await createUser();
        const keep = await login(user.id);
        const [s2, s3] = [await login(user.id), await login(user.id)];
        const loggedOut = await login(user.id);
        await store.endSession(loggedOut.session.id, "LOGGED_OUT", at(1));
        const bystander = await login((await createUser()).id);
        expect(await store.endUserSessions(user.id, "REVOKED", keep.session.id, at(5))).toBe(2);
        expect(await store.getSession(keep.session.id)).toMatchObject({ status: "ACTIVE" });
        for (const { session } of [s2, s3]) expect(await store.getSession(session.id)).toMatchObject({ status: "REVOKED", endedAt: at(5) });
        expect(await store.getSession(loggedOut.session.id)).toMatchObject({ status: "LOGGED_OUT", endedAt: at(1) });
        expect(await store.getSession(bystander.session.id)).toMatchObject({ status: "ACTIVE" });
        expect(await store.endUserSessions(user.id, "REVOKED", null, at(6))).toBe(1);
        expect(await store.getSession(keep.session.id)).toMatchObject({ status: "REVOKED", endedAt: at(6) });
      });

      test("touchSessions() records the latest use and never moves lastUsedAt backwards", async () => {
        const user = await createUser();
        const a = await login(user.id, at(100));
        const b = await login(user.id, at(100));
        await store.touchSessions([
          { sessionId: a.session.id, lastUsedAt: at(300) },
          { sessionId: b.session.id, lastUsedAt: at(50) },
          { sessionId: a.session.id, lastUsedAt: at(200) },
          { sessionId: randomUUID(), lastUsedAt: at(300) },
        ]);
        expect((await store.getSession(a.session.id))?.lastUsedAt).toEqual(at(300));
        expect((await store.getSession(b.session.id))?.lastUsedAt).toEqual(at(100));
        await store.touchSessions([{ sessionId: a.session.id, lastUsedAt: at(250) }]);
        expect((await store.getSession(a.session.id))?.lastUsedAt).toEqual(at(300));
        await store.touchSessions([]);
      });

      test("sweepSessions() expires overdue ACTIVE sessions and purges sessions ended before the cutoff", async () => {
        const user = await createUser();
        const overdue = await login(user.id, at(0), at(100));
        const current = await login(user.id, at(0), at(10_000));
        const endedLongAgo = await login(user.id, at(0));
        const endedRecently = await login(user.id, at(0));
        await store.endSession(endedLongAgo.session.id, "LOGGED_OUT", at(50));
        await store.endSession(endedRecently.session.id, "REVOKED", at(500));
        expect(await store.sweepSessions(at(200), at(100))).toEqual({ expired: 1, purged: 1 });
        expect(await store.getSession(overdue.session.id)).toMatchObject({ status: "EXPIRED", endedAt: at(200) });
        expect(await store.getSession(current.session.id)).toMatchObject({ status: "ACTIVE" });
        expect(await store.getSession(endedLongAgo.session.id)).toBeNull();
        expect(await store.findRefreshToken(endedLongAgo.token.id)).toBeNull();
        expect(await store.getSession(endedRecently.session.id)).toMatchObject({ status: "REVOKED" });
        expect(await store.sweepSessions(at(200), at(100))).toEqual({ expired: 0, purged: 0 });
      });
    });

    describe("refresh tokens", () => {
      test("rotateRefreshToken() marks the old token rotated, stores its successor and slides the session", async () => {
        const user = await createUser();
        const { session, token } = await login(user.id);
        const successor = successorOf(session.id);
        const { sealedForPredecessor, ...next } = successor;
        const result = await store.rotateRefreshToken(token.id, successor, at(7200), at(60));
        const newToken = { ...next, rotatedAt: null, successorId: null, successorSecretSealed: null };
        const slid = { ...session, expiresAt: at(7200), lastUsedAt: at(60) };
        expect(result).toEqual({ ok: true, session: slid, token: newToken });
        expect(await store.findRefreshToken(next.id)).toEqual(newToken);
        expect(await store.getSession(session.id)).toEqual(slid);
        expect(await store.findRefreshToken(token.id)).toEqual({
          ...token,
          rotatedAt: at(60),
          successorId: next.id,
          successorSecretSealed: sealedForPredecessor,
        });
      });

      test("rotateRefreshToken() reports ALREADY_ROTATED with the token as it is now when it was rotated before", async () => {
        const user = await createUser();
        const { session, token } = await login(user.id);
        const first = successorOf(session.id);
        await store.rotateRefreshToken(token.id, first, at(7200), at(60));
        const late = successorOf(session.id, at(90));
        const result = await store.rotateRefreshToken(token.id, late, at(9000), at(90));
        expect(result).toEqual({ ok: false, reason: "ALREADY_ROTATED", token: await store.findRefreshToken(token.id) });
        expect(result.ok === false && result.reason === "ALREADY_ROTATED" && result.token.successorId).toBe(first.id);
        expect(await store.findRefreshToken(late.id)).toBeNull();
        expect(await store.getSession(session.id)).toMatchObject({ expiresAt: at(7200), lastUsedAt: at(60) });
      });

      test("rotateRefreshToken() lets exactly one of several concurrent rotations of a token win", async () => {
        const user = await createUser();
        const { session, token } = await login(user.id);
        const successors = Array.from({ length: 5 }, () => successorOf(session.id));
        const results = await race(5, (i) => store.rotateRefreshToken(token.id, successors[i]!, at(7200), at(60)));
        const winners = results.flatMap((result) => (result.ok ? [result] : []));
        expect(winners).toHaveLength(1);
        const winnerId = winners[0]!.token.id;
        for (const result of results.filter((r) => !r.ok)) {
          expect(result).toMatchObject({ ok: false, reason: "ALREADY_ROTATED", token: { id: token.id, successorId: winnerId } });
        }
        for (const successor of successors.filter((s) => s.id !== winnerId)) expect(await store.findRefreshToken(successor.id)).toBeNull();
      });

      test("rotateRefreshToken() reports SESSION_ENDED for an ended session or an unknown token", async () => {
        const user = await createUser();
        const { session, token } = await login(user.id);
        await store.endSession(session.id, "REVOKED", at(30));
        const successor = successorOf(session.id);
        expect(await store.rotateRefreshToken(token.id, successor, at(7200), at(60))).toEqual({ ok: false, reason: "SESSION_ENDED" });
        expect(await store.findRefreshToken(successor.id)).toBeNull();
        expect(await store.findRefreshToken(token.id)).toMatchObject({ rotatedAt: null, successorId: null });
        expect(await store.getSession(session.id)).toMatchObject({ status: "REVOKED", expiresAt: at(3600) });
        expect(await store.rotateRefreshToken(random(), successorOf(session.id), at(7200), at(60))).toEqual({ ok: false, reason: "SESSION_ENDED" });
      });
    });

    describe("audit events", () => {
      test("appendAuditEvents() stores events that listAuditEvents() returns whole, newest first", async () => {
        const userId = randomUUID();
        const older = newAuditEvent({ userId, createdAt: at(1), type: "LOGIN", outcome: "FAILURE", detail: { reason: "BAD_PASSWORD" } });
        const newer = newAuditEvent({ userId, createdAt: at(2), type: "LOGOUT", actorId: randomUUID(), ipAddress: null, userAgent: null });
        await store.appendAuditEvents([older, newer]);
        await store.appendAuditEvents([]);
        const listed = await store.listAuditEvents({ userId, limit: 10, before: null });
        expect(listed).toEqual([
          { ...newer, id: expect.any(String) },
          { ...older, id: expect.any(String) },
        ]);
        expect(Object.keys(listed[0]!).sort()).toEqual(Object.keys({ ...newer, id: "" }).sort());
      });

      test("listAuditEvents() filters by user, pages with `before` and honours `limit`", async () => {
        const userId = randomUUID();
        await store.appendAuditEvents([1, 2, 3, 4].map((s) => newAuditEvent({ userId, createdAt: at(s), detail: { n: s } })));
        await store.appendAuditEvents([newAuditEvent({ createdAt: at(5) }), newAuditEvent({ userId: null, sessionId: null, createdAt: at(6) })]);
        const page = (query: { userId: string | null; limit: number; before: Date | null }) =>
          store.listAuditEvents(query).then((events) => events.map((event) => event.createdAt.getTime()));
        expect(await page({ userId, limit: 2, before: null })).toEqual([at(4), at(3)].map(Number));
        expect(await page({ userId, limit: 10, before: at(3) })).toEqual([at(2), at(1)].map(Number));
        expect(await page({ userId: null, limit: 3, before: null })).toEqual([at(6), at(5), at(4)].map(Number));
        expect(await page({ userId: randomUUID(), limit: 10, before: null })).toEqual([]);
      });

      test("pruneAuditEvents() deletes events older than the cutoff and says how many", async () => {
        await store.appendAuditEvents([1, 2, 3].map((s) => newAuditEvent({ createdAt: at(s) })));
        expect(await store.pruneAuditEvents(at(3))).toBe(2);
        expect((await store.listAuditEvents({ userId: null, limit: 10, before: null })).map((e) => e.createdAt)).toEqual([at(3)]);
      });
    });

    describeSecurityChangeContract(() => store);
    describeResetRedemptionContract(() => store);
    describeSessionPageContract(() => store);
    describeTokenPruneContract(() => store);
    describeMfaContract(() => store);
    describeMailStoreContract(() => store, createUser);

    test("ping() answers while the store is open", async () => {
      await expect(store.ping()).resolves.toBeUndefined();
    });
  });
}
