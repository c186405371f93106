import { randomUUID } from "node:crypto";
import { describe, expect, test } from "vitest";
import type { SecurityChange, Store } from "../src/storage/store.js";
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
      const change: SecurityChange = { expectedStamp: user.securityStamp, passwordHash: "$argon2id$changed", endSessions: { status: "REVOKED", exceptSessionId: keep.session.id } };
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
      const first = await store.applySecurityChange(user.id, { expectedStamp: user.securityStamp, endSessions: { status: "REVOKED", exceptSessionId: live.session.id } }, at(1));
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
        kind === "disable" ? { expectedStamp: null, disabledAt: at(1), endSessions: revokeAll } : { expectedStamp: user.securityStamp, passwordHash: "$argon2id$new", endSessions: revokeAll };
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
