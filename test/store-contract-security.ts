import { createHash, randomUUID } from "node:crypto";
import { describe, expect, test } from "vitest";
import {
  cursorOf,
  type MailTokenRecord,
  type NewOutboxMail,
  type SecurityChange,
  type SecurityTokenRedemption,
  type SessionRecord,
  type Store,
} from "../src/auth/ports/store.js";
import { at, newSession, newToken, newUser, unlimited } from "./store-contract.js";

const revokeAll: SecurityChange["endSessions"] = { status: "REVOKED", exceptSessionId: null };

/**
 * The security stamp part of the store contract (issue 19): a password change or disable and a login that checked
 * the old credentials never leave a live session behind, whatever their interleaving.
 * @see issue 19 (High 1)
 */
export function describeSecurityChangeContract(getStore: () => Store): void {
  describe("security changes", () => {
    async function loginWith(store: Store, userId: string, stamp: string, createdAt = at(0)) {
      const session = newSession(userId, createdAt);
      return { session, result: await store.startSession(session, newToken(session.id, createdAt), unlimited, createdAt, stamp) };
    }

    test("applySecurityChange() rotates the stamp, applies the change and ends the user's other ACTIVE sessions", async () => {
      const store = getStore();
      const user = await store.createUser(newUser());
      const bystander = await store.createUser(newUser());
      const keep = await loginWith(store, user.id, user.securityStamp);
      const other = await loginWith(store, user.id, user.securityStamp);
      const theirs = await loginWith(store, bystander.id, bystander.securityStamp);
      const change: SecurityChange = {
        expectedStamp: user.securityStamp,
        passwordHash: "$argon2id$changed",
        endSessions: { status: "REVOKED", exceptSessionId: keep.session.id },
      };
      const changed = await store.applySecurityChange(user.id, change, at(9));
      expect(changed).toEqual({ ok: true, sessionsEnded: 1, user: { ...user, passwordHash: "$argon2id$changed", securityStamp: expect.any(String) } });
      const stamp = changed.ok ? changed.user.securityStamp : "";
      expect(stamp).not.toBe(user.securityStamp);
      expect(await store.findUserById(user.id)).toEqual(changed.ok && changed.user);
      expect(await store.getSession(keep.session.id)).toMatchObject({ status: "ACTIVE" });
      expect(await store.getSession(other.session.id)).toMatchObject({ status: "REVOKED", endedAt: at(9) });
      expect(await store.getSession(theirs.session.id)).toMatchObject({ status: "ACTIVE" });
      expect((await store.findUserById(bystander.id))?.securityStamp).toBe(bystander.securityStamp);
    });

    test("applySecurityChange() changes nothing when the stamp moved on (STAMP_CHANGED) or the user is missing (NOT_FOUND)", async () => {
      const store = getStore();
      const user = await store.createUser(newUser());
      const live = await loginWith(store, user.id, user.securityStamp);
      const first = await store.applySecurityChange(
        user.id,
        { expectedStamp: user.securityStamp, endSessions: { status: "REVOKED", exceptSessionId: live.session.id } },
        at(1),
      );
      expect(first.ok).toBe(true);
      const now = await store.findUserById(user.id);
      const stale = { expectedStamp: user.securityStamp, passwordHash: "$argon2id$late", disabledAt: at(2), endSessions: revokeAll };
      expect(await store.applySecurityChange(user.id, stale, at(2))).toEqual({ ok: false, reason: "STAMP_CHANGED" });
      expect(await store.findUserById(user.id)).toEqual(now);
      expect(await store.getSession(live.session.id)).toMatchObject({ status: "ACTIVE" });
      expect(await store.applySecurityChange(randomUUID(), { expectedStamp: null, endSessions: revokeAll }, at(2))).toEqual({ ok: false, reason: "NOT_FOUND" });
      expect(await store.applySecurityChange("not-an-id", { expectedStamp: null, endSessions: revokeAll }, at(2))).toEqual({ ok: false, reason: "NOT_FOUND" });
    });

    test("startSession() stores nothing (ACCOUNT_CHANGED) when the stamp is stale or the user is disabled or gone", async () => {
      const store = getStore();
      const user = await store.createUser(newUser());
      await store.applySecurityChange(user.id, { expectedStamp: null, passwordHash: "$argon2id$new", endSessions: revokeAll }, at(1));
      const stale = await loginWith(store, user.id, user.securityStamp);
      expect(stale.result).toEqual({ ok: false, reason: "ACCOUNT_CHANGED" });
      expect(await store.getSession(stale.session.id)).toBeNull();

      const current = (await store.findUserById(user.id))!;
      expect((await loginWith(store, user.id, current.securityStamp)).result.ok).toBe(true);
      const disabled = await store.applySecurityChange(user.id, { expectedStamp: null, disabledAt: at(2), endSessions: revokeAll }, at(2));
      const enabled = await store.enableUser(user.id);
      expect(enabled?.securityStamp).toBe(disabled.ok && disabled.user.securityStamp);
      // a login of a disabled account is refused even with the current stamp
      const whileDisabled = await store.applySecurityChange(user.id, { expectedStamp: null, disabledAt: at(3), endSessions: revokeAll }, at(3));
      const stamp = whileDisabled.ok ? whileDisabled.user.securityStamp : "";
      expect((await loginWith(store, user.id, stamp)).result).toEqual({ ok: false, reason: "ACCOUNT_CHANGED" });

      expect(await store.deleteUser(user.id)).toBe(true);
      expect((await loginWith(store, user.id, stamp)).result).toEqual({ ok: false, reason: "ACCOUNT_CHANGED" });
      expect((await loginWith(store, randomUUID(), stamp)).result).toEqual({ ok: false, reason: "ACCOUNT_CHANGED" });
    });

    test.each(["password change", "disable"])("no session survives a %s racing with logins that read the old stamp", async (kind) => {
      const store = getStore();
      const user = await store.createUser(newUser());
      await Promise.all(Array.from({ length: 6 }, () => store.ping()));
      const change: SecurityChange =
        kind === "disable"
          ? { expectedStamp: null, disabledAt: at(1), endSessions: revokeAll }
          : { expectedStamp: user.securityStamp, passwordHash: "$argon2id$new", endSessions: revokeAll };
      const [changed] = await Promise.all([
        store.applySecurityChange(user.id, change, at(1)),
        ...Array.from({ length: 5 }, () => loginWith(store, user.id, user.securityStamp, at(1))),
      ]);
      expect(changed.ok).toBe(true);
      const sessions = await store.listUserSessions(user.id);
      expect(sessions.filter((session) => session.status === "ACTIVE")).toEqual([]);
    });
  });
}

/** The bounded listing of a user's sessions (issue 19, Medium 4). @see issue 19 */
export function describeSessionPageContract(getStore: () => Store): void {
  test("listUserSessionsPage() lists ACTIVE sessions first, then ended ones, newest first, and pages after a cursor", async () => {
    const store = getStore();
    const user = await store.createUser(newUser());
    const other = await store.createUser(newUser());
    const started: Array<{ id: string }> = [];
    for (let i = 0; i < 7; i++) {
      const session = newSession(user.id, at(i));
      await store.startSession(session, newToken(session.id, at(i)), unlimited, at(i), user.securityStamp);
      started.push(session);
    }
    const otherSession = newSession(other.id, at(3));
    await store.startSession(otherSession, newToken(otherSession.id, at(3)), unlimited, at(3), other.securityStamp);
    for (const index of [1, 4, 6]) await store.endSession(started[index]!.id, "LOGGED_OUT", at(10));
    const expected = [5, 3, 2, 0, 6, 4, 1].map((index) => started[index]!.id);

    const all = await store.listUserSessionsPage(user.id, { limit: 50, after: null });
    expect(all.map((session) => session.id)).toEqual(expected);
    const pages: string[] = [];
    let after = null;
    for (;;) {
      const page: SessionRecord[] = await store.listUserSessionsPage(user.id, { limit: 2, after });
      if (page.length === 0) break;
      expect(page.length).toBeLessThanOrEqual(2);
      pages.push(...page.map((session) => session.id));
      after = cursorOf(page.at(-1)!);
    }
    expect(pages).toEqual(expected);
    expect(await store.listUserSessionsPage(randomUUID(), { limit: 5, after: null })).toEqual([]);
  });
}

/** Rotated refresh tokens of live sessions do not pile up (issue 19, Low). @see issue 19 */
export function describeTokenPruneContract(getStore: () => Store): void {
  test("sweepSessions() deletes rotated refresh tokens that have expired, also of a live session, and keeps the rest", async () => {
    const store = getStore();
    const user = await store.createUser(newUser());
    const session = newSession(user.id, at(0), at(10_000));
    const first = newToken(session.id, at(0), at(100));
    await store.startSession(session, first, unlimited, at(0), user.securityStamp);
    const second = { ...newToken(session.id, at(50), at(150)), sealedForPredecessor: "sealed-1" };
    expect((await store.rotateRefreshToken(first.id, second, at(10_000), at(50))).ok).toBe(true);
    const third = { ...newToken(session.id, at(120), at(10_000)), sealedForPredecessor: "sealed-2" };
    expect((await store.rotateRefreshToken(second.id, third, at(10_000), at(120))).ok).toBe(true);

    await store.sweepSessions(at(130), at(0));
    expect(await store.findRefreshToken(first.id)).toBeNull(); // rotated and expired
    expect(await store.findRefreshToken(second.id)).not.toBeNull(); // rotated, not expired yet
    expect(await store.findRefreshToken(third.id)).not.toBeNull(); // the current one
    expect(await store.getSession(session.id)).toMatchObject({ status: "ACTIVE" });
  });
}

/**
 * A password reset is one security change that also redeems its token: a failure between the two used to leave the
 * link spent and the password unchanged.
 */
export function describeResetRedemptionContract(getStore: () => Store): void {
  describe("security changes that redeem a mailed token", () => {
    async function setUp(store: Store, expiresAt = at(3600)) {
      const user = await store.createUser(newUser());
      const sessions = [];
      for (let i = 0; i < 2; i++) {
        const session = newSession(user.id);
        await store.startSession(session, newToken(session.id), unlimited, at(0), user.securityStamp);
        sessions.push(session);
      }
      const token: MailTokenRecord = {
        tokenHash: createHash("sha256").update(randomUUID()).digest("hex"),
        userId: user.id,
        purpose: "PASSWORD_RESET",
        email: user.email,
        createdAt: at(0),
        expiresAt,
      };
      await store.issueMailToken(token, null);
      const notice: NewOutboxMail = { userId: user.id, kind: "PASSWORD_CHANGED", to: user.email, subject: "changed", text: "t", html: null, createdAt: at(0) };
      const redeem: SecurityTokenRedemption = { tokenHash: token.tokenHash, purpose: "PASSWORD_RESET", verifiedEmail: user.email, mails: [notice] };
      const reset = (passwordHash = "$argon2id$reset"): SecurityChange => ({ expectedStamp: null, passwordHash, endSessions: revokeAll, redeem });
      return { user, sessions, token, redeem, reset };
    }

    /** The token, the user, the sessions and the queued mails stay exactly as they were. */
    async function expectNothingChanged(store: Store, t: Awaited<ReturnType<typeof setUp>>, user = t.user) {
      expect(await store.findUserById(t.user.id)).toEqual(user);
      for (const session of t.sessions) expect(await store.getSession(session.id)).toMatchObject({ status: "ACTIVE", endedAt: null });
      expect(await store.listOutboxMails(t.user.email)).toEqual([]);
    }

    test("applySecurityChange() with `redeem` deletes the token, verifies the address, sets the password, rotates the stamp, ends the sessions and queues the notice at once", async () => {
      const store = getStore();
      const t = await setUp(store);
      const verification = { ...t.token, tokenHash: createHash("sha256").update(randomUUID()).digest("hex"), purpose: "EMAIL_VERIFICATION" as const };
      await store.issueMailToken(verification, null);
      const changed = await store.applySecurityChange(t.user.id, t.reset(), at(60));
      expect(changed).toEqual({
        ok: true,
        sessionsEnded: 2,
        user: { ...t.user, passwordHash: "$argon2id$reset", emailVerifiedAt: at(60), securityStamp: expect.any(String) },
      });
      expect(changed.ok && changed.user.securityStamp).not.toBe(t.user.securityStamp);
      expect(await store.findUserById(t.user.id)).toEqual(changed.ok && changed.user);
      expect(await store.findMailToken(t.token.tokenHash)).toBeNull();
      expect(await store.findMailToken(verification.tokenHash)).toEqual(verification);
      for (const session of t.sessions) expect(await store.getSession(session.id)).toMatchObject({ status: "REVOKED", endedAt: at(60) });
      expect(await store.listOutboxMails(t.user.email)).toMatchObject([{ kind: "PASSWORD_CHANGED", userId: t.user.id, text: "t" }]);
    });

    test("applySecurityChange() changes nothing (TOKEN_SPENT) with an expired token, another purpose or another user's token", async () => {
      const store = getStore();
      const t = await setUp(store, at(100));
      expect(await store.applySecurityChange(t.user.id, t.reset(), at(100))).toEqual({ ok: false, reason: "TOKEN_SPENT" });
      const otherPurpose = { ...t.reset(), redeem: { ...t.redeem, purpose: "EMAIL_VERIFICATION" as const } };
      expect(await store.applySecurityChange(t.user.id, otherPurpose, at(50))).toEqual({ ok: false, reason: "TOKEN_SPENT" });
      const someoneElse = await setUp(store);
      expect(await store.applySecurityChange(t.user.id, someoneElse.reset(), at(50))).toEqual({ ok: false, reason: "TOKEN_SPENT" });
      await expectNothingChanged(store, t);
      await expectNothingChanged(store, someoneElse);
      expect(await store.findMailToken(t.token.tokenHash)).toEqual(t.token);
      expect(await store.findMailToken(someoneElse.token.tokenHash)).toEqual(someoneElse.token);
    });

    test("applySecurityChange() changes nothing (TOKEN_SPENT) with a token already redeemed", async () => {
      const store = getStore();
      const t = await setUp(store);
      const first = await store.applySecurityChange(t.user.id, t.reset("$argon2id$first"), at(50));
      expect(first.ok).toBe(true);
      const after = (await store.findUserById(t.user.id))!;
      const session = newSession(t.user.id, at(51));
      await store.startSession(session, newToken(session.id, at(51)), unlimited, at(51), after.securityStamp);
      expect(await store.applySecurityChange(t.user.id, t.reset("$argon2id$second"), at(52))).toEqual({ ok: false, reason: "TOKEN_SPENT" });
      expect(await store.findUserById(t.user.id)).toEqual(after);
      expect(await store.getSession(session.id)).toMatchObject({ status: "ACTIVE" });
      expect(await store.listOutboxMails(t.user.email)).toHaveLength(1);
    });

    test("of racing changes that redeem one token exactly one applies", async () => {
      const store = getStore();
      const t = await setUp(store);
      await Promise.all(Array.from({ length: 4 }, () => store.ping()));
      const results = await Promise.all([0, 1, 2, 3].map((i) => store.applySecurityChange(t.user.id, t.reset(`$argon2id$racer${i}`), at(60))));
      const winners = results.filter((result) => result.ok);
      expect(winners).toHaveLength(1);
      expect(results.filter((result) => !result.ok)).toEqual(Array.from({ length: 3 }, () => ({ ok: false, reason: "TOKEN_SPENT" })));
      expect(await store.findUserById(t.user.id)).toEqual(winners[0]!.ok && winners[0]!.user);
      expect(await store.listOutboxMails(t.user.email)).toHaveLength(1);
      expect(await store.findMailToken(t.token.tokenHash)).toBeNull();
    });
  });
}
