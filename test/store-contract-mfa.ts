import { randomBytes } from "node:crypto";
import { describe, expect, test } from "vitest";
import type { NewMfaChallenge } from "../src/auth/ports/mfa-store.js";
import type { SecurityChange, SecurityChangeResult, Store } from "../src/auth/ports/store.js";
import { at, newSession, newToken, newUser, unlimited } from "./store-contract.js";

/**
 * The second factor's part of the store contract (issue 15): a pending secret never replaces an enabled one, a
 * TOTP step and a recovery code are accepted once, and an mfaToken's attempts and single use hold under races.
 * TOTP goes on and off only with a stamp rotation and the end of the other sessions, all or nothing.
 * @see issue 15
 */
export function describeMfaContract(getStore: () => Store): void {
  describe("second factor", () => {
    const hashes = ["hash-a", "hash-b", "hash-c"];
    const changed = { ok: false, reason: "TOTP_CHANGED" } as const;

    function endSessions(keep: string | null = null): SecurityChange["endSessions"] {
      return { status: "REVOKED", exceptSessionId: keep };
    }

    function enableTotp(store: Store, userId: string, secretSealed: string, step: number, now: Date, keep: string | null = null, codes = hashes) {
      const totp = { enable: { secretSealed, step, recoveryCodeHashes: codes } };
      return store.applySecurityChange(userId, { expectedStamp: null, endSessions: endSessions(keep), totp }, now);
    }

    function removeTotp(store: Store, userId: string, now: Date, keep: string | null = null): Promise<SecurityChangeResult> {
      return store.applySecurityChange(userId, { expectedStamp: null, endSessions: endSessions(keep), totp: { remove: true } }, now);
    }

    async function loginWith(store: Store, userId: string, stamp: string, createdAt = at(0)) {
      const session = newSession(userId, createdAt);
      return { session, result: await store.startSession(session, newToken(session.id, createdAt), unlimited, createdAt, stamp) };
    }

    async function enrolled(store: Store) {
      const user = await store.createUser(newUser());
      expect(await store.mfa.savePendingTotp(user.id, "v1.sealed", at(0))).toBe(true);
      expect((await enableTotp(store, user.id, "v1.sealed", 100, at(1))).ok).toBe(true);
      return user;
    }

    function challenge(userId: string, overrides: Partial<NewMfaChallenge> = {}): NewMfaChallenge {
      return {
        id: randomBytes(16).toString("base64url"),
        userId,
        secretHash: "f".repeat(64),
        ipAddress: "127.0.0.1",
        securityStamp: "stamp",
        endOtherSessions: false,
        createdAt: at(0),
        expiresAt: at(300),
        ...overrides,
      };
    }

    test("savePendingTotp() stores and replaces a pending secret, never an enabled one; a TOTP enable needs the pending one", async () => {
      const store = getStore();
      const user = await store.createUser(newUser());
      expect(await store.mfa.findTotp(user.id)).toBeNull();
      expect(await store.mfa.savePendingTotp(user.id, "v1.first", at(0))).toBe(true);
      expect(await store.mfa.savePendingTotp(user.id, "v1.second", at(5))).toBe(true);
      expect(await store.mfa.findTotp(user.id)).toEqual({ userId: user.id, secretSealed: "v1.second", enabledAt: null, lastUsedStep: null, createdAt: at(5) });
      expect(await enableTotp(store, user.id, "v1.first", 7, at(6))).toEqual(changed);
      expect((await enableTotp(store, user.id, "v1.second", 7, at(6))).ok).toBe(true);
      expect(await enableTotp(store, user.id, "v1.second", 8, at(7))).toEqual(changed);
      expect(await store.mfa.findTotp(user.id)).toEqual({ userId: user.id, secretSealed: "v1.second", enabledAt: at(6), lastUsedStep: 7, createdAt: at(5) });
      expect(await store.mfa.savePendingTotp(user.id, "v1.third", at(8))).toBe(false);
      expect((await store.mfa.findTotp(user.id))?.secretSealed).toBe("v1.second");
    });

    test("a TOTP enable rotates the stamp and ends the other sessions, keeping the caller's, in the same call", async () => {
      const store = getStore();
      const user = await store.createUser(newUser());
      const bystander = await store.createUser(newUser());
      await store.mfa.savePendingTotp(user.id, "v1.sealed", at(0));
      const keep = await loginWith(store, user.id, user.securityStamp);
      const other = await loginWith(store, user.id, user.securityStamp);
      const theirs = await loginWith(store, bystander.id, bystander.securityStamp);

      const enabled = await enableTotp(store, user.id, "v1.sealed", 100, at(9), keep.session.id);
      expect(enabled).toEqual({ ok: true, sessionsEnded: 1, user: { ...user, securityStamp: expect.any(String) } });
      expect(enabled.ok && enabled.user.securityStamp).not.toBe(user.securityStamp);
      expect(await store.findUserById(user.id)).toEqual(enabled.ok && enabled.user);
      expect(await store.mfa.findTotp(user.id)).toEqual({ userId: user.id, secretSealed: "v1.sealed", enabledAt: at(9), lastUsedStep: 100, createdAt: at(0) });
      expect(await store.mfa.useRecoveryCode(user.id, "hash-a", at(10))).toBe(2);
      expect(await store.getSession(keep.session.id)).toMatchObject({ status: "ACTIVE" });
      expect(await store.getSession(other.session.id)).toMatchObject({ status: "REVOKED", endedAt: at(9) });
      expect(await store.getSession(theirs.session.id)).toMatchObject({ status: "ACTIVE" });
      expect((await store.findUserById(bystander.id))?.securityStamp).toBe(bystander.securityStamp);
      // a login that checked the password before TOTP was on stores nothing afterwards
      expect((await loginWith(store, user.id, user.securityStamp, at(10))).result).toEqual({ ok: false, reason: "ACCOUNT_CHANGED" });
    });

    test("a TOTP enable of a replaced or already enabled enrollment writes nothing: stamp, sessions and TOTP stay as they were", async () => {
      const store = getStore();
      const user = await store.createUser(newUser());
      await store.mfa.savePendingTotp(user.id, "v1.first", at(0));
      await store.mfa.savePendingTotp(user.id, "v1.second", at(1));
      const keep = await loginWith(store, user.id, user.securityStamp);
      const other = await loginWith(store, user.id, user.securityStamp);
      const pending = await store.mfa.findTotp(user.id);

      expect(await enableTotp(store, user.id, "v1.first", 7, at(2), keep.session.id)).toEqual(changed);
      expect(await store.findUserById(user.id)).toEqual(user);
      expect(await store.getSession(other.session.id)).toMatchObject({ status: "ACTIVE", endedAt: null });
      expect(await store.mfa.findTotp(user.id)).toEqual(pending);
      // a stale stamp also leaves the pending enrollment pending
      const stale = {
        expectedStamp: "stale",
        endSessions: endSessions(),
        totp: { enable: { secretSealed: "v1.second", step: 7, recoveryCodeHashes: hashes } },
      };
      expect(await store.applySecurityChange(user.id, stale, at(2))).toEqual({ ok: false, reason: "STAMP_CHANGED" });
      expect(await store.mfa.findTotp(user.id)).toEqual(pending);

      const enabled = await enableTotp(store, user.id, "v1.second", 7, at(3), keep.session.id);
      if (!enabled.ok) throw new Error(`enable failed: ${enabled.reason}`);
      const late = await loginWith(store, user.id, enabled.user.securityStamp, at(4));
      const totp = await store.mfa.findTotp(user.id);
      // a second confirmation of the same secret (a retry, or a racing one) replaces neither the codes nor anything else
      expect(await enableTotp(store, user.id, "v1.second", 8, at(5), keep.session.id, ["hash-new"])).toEqual(changed);
      expect(await store.findUserById(user.id)).toEqual(enabled.user);
      expect(await store.getSession(late.session.id)).toMatchObject({ status: "ACTIVE" });
      expect(await store.mfa.findTotp(user.id)).toEqual(totp);
      expect(await store.mfa.useRecoveryCode(user.id, "hash-new", at(6))).toBeNull();
      expect(await store.mfa.useRecoveryCode(user.id, "hash-a", at(6))).toBe(2);
    });

    test("a TOTP removal rotates the stamp and ends the other sessions in the same call; with no TOTP it writes nothing", async () => {
      const store = getStore();
      const user = await enrolled(store);
      const keep = await loginWith(store, user.id, (await store.findUserById(user.id))!.securityStamp);
      const other = await loginWith(store, user.id, (await store.findUserById(user.id))!.securityStamp);
      const before = (await store.findUserById(user.id))!;

      const removed = await removeTotp(store, user.id, at(5), keep.session.id);
      expect(removed).toEqual({ ok: true, sessionsEnded: 1, user: { ...before, securityStamp: expect.any(String) } });
      expect(removed.ok && removed.user.securityStamp).not.toBe(before.securityStamp);
      expect(await store.mfa.findTotp(user.id)).toBeNull();
      expect(await store.mfa.useRecoveryCode(user.id, "hash-a", at(6))).toBeNull();
      expect(await store.getSession(keep.session.id)).toMatchObject({ status: "ACTIVE" });
      expect(await store.getSession(other.session.id)).toMatchObject({ status: "REVOKED", endedAt: at(5) });

      const after = (await store.findUserById(user.id))!;
      const late = await loginWith(store, user.id, after.securityStamp, at(6));
      expect(await removeTotp(store, user.id, at(7))).toEqual(changed);
      expect(await store.findUserById(user.id)).toEqual(after);
      expect(await store.getSession(keep.session.id)).toMatchObject({ status: "ACTIVE" });
      expect(await store.getSession(late.session.id)).toMatchObject({ status: "ACTIVE" });
      // a pending enrollment is removed too (an admin reset of a half-enrolled account)
      await store.mfa.savePendingTotp(user.id, "v1.pending", at(8));
      expect((await removeTotp(store, user.id, at(9))).ok).toBe(true);
      expect(await store.mfa.findTotp(user.id)).toBeNull();
    });

    test("no session but the caller's survives a TOTP enable racing with logins that read the old stamp", async () => {
      const store = getStore();
      const user = await store.createUser(newUser());
      await store.mfa.savePendingTotp(user.id, "v1.sealed", at(0));
      const keep = await loginWith(store, user.id, user.securityStamp);
      await Promise.all(Array.from({ length: 6 }, () => store.ping()));
      const [enabled] = await Promise.all([
        enableTotp(store, user.id, "v1.sealed", 100, at(1), keep.session.id),
        ...Array.from({ length: 5 }, () => loginWith(store, user.id, user.securityStamp, at(1))),
      ]);
      expect(enabled.ok).toBe(true);
      const active = (await store.listUserSessions(user.id)).filter((session) => session.status === "ACTIVE");
      expect(active.map((session) => session.id)).toEqual([keep.session.id]);
    });

    test("useTotpStep() accepts only a step later than the last used, once, even when racing", async () => {
      const store = getStore();
      const user = await enrolled(store);
      expect(await store.mfa.useTotpStep(user.id, 100)).toBe(false); // the confirming code's step
      expect(await store.mfa.useTotpStep(user.id, 99)).toBe(false);
      const racing = await Promise.all([1, 2, 3, 4].map(() => store.mfa.useTotpStep(user.id, 101)));
      expect(racing.filter(Boolean)).toHaveLength(1);
      expect((await store.mfa.findTotp(user.id))?.lastUsedStep).toBe(101);
      const pending = await store.createUser(newUser());
      await store.mfa.savePendingTotp(pending.id, "v1.pending", at(0));
      expect(await store.mfa.useTotpStep(pending.id, 5)).toBe(false); // not enabled
    });

    test("useRecoveryCode() spends each code once, even when racing, and counts those left; a TOTP removal removes them", async () => {
      const store = getStore();
      const user = await enrolled(store);
      const other = await enrolled(store);
      const racing = await Promise.all([1, 2, 3].map(() => store.mfa.useRecoveryCode(user.id, "hash-b", at(2))));
      expect(racing.filter((left) => left !== null)).toEqual([2]);
      expect(await store.mfa.useRecoveryCode(user.id, "hash-unknown", at(2))).toBeNull();
      expect(await store.mfa.useRecoveryCode(user.id, "hash-a", at(3))).toBe(1);
      // another user's codes are theirs
      expect(await store.mfa.useRecoveryCode(other.id, "hash-b", at(3))).toBe(2);
      // a new enrollment replaces the codes
      expect((await removeTotp(store, user.id, at(4))).ok).toBe(true);
      expect(await removeTotp(store, user.id, at(4))).toEqual(changed);
      expect(await store.mfa.findTotp(user.id)).toBeNull();
      expect(await store.mfa.useRecoveryCode(user.id, "hash-c", at(4))).toBeNull();
      await store.mfa.savePendingTotp(user.id, "v1.again", at(5));
      await enableTotp(store, user.id, "v1.again", 200, at(5), null, ["hash-x"]);
      expect(await store.mfa.useRecoveryCode(user.id, "hash-c", at(6))).toBeNull();
      expect(await store.mfa.useRecoveryCode(user.id, "hash-x", at(6))).toBe(0);
    });

    test("countMfaAttempt() counts up to the maximum, even when racing, and never for a used or expired challenge", async () => {
      const store = getStore();
      const user = await store.createUser(newUser());
      const created = challenge(user.id);
      await store.mfa.createMfaChallenge(created);
      expect(await store.mfa.findMfaChallenge(created.id)).toEqual({ ...created, attempts: 0, usedAt: null });
      const racing = await Promise.all([1, 2, 3, 4, 5, 6, 7].map(() => store.mfa.countMfaAttempt(created.id, 5, at(10))));
      expect(racing.filter((counted) => counted !== null)).toHaveLength(5);
      expect(await store.mfa.findMfaChallenge(created.id)).toMatchObject({ attempts: 5 });
      expect(await store.mfa.countMfaAttempt(created.id, 5, at(10))).toBeNull();

      const expiring = challenge(user.id);
      await store.mfa.createMfaChallenge(expiring);
      expect(await store.mfa.countMfaAttempt(expiring.id, 5, at(300))).toBeNull();
      expect(await store.mfa.countMfaAttempt(expiring.id, 5, at(299))).toMatchObject({ attempts: 1 });
      expect(await store.mfa.countMfaAttempt("unknown", 5, at(0))).toBeNull();
    });

    test("consumeMfaChallenge() succeeds once among racers; pruneMfaChallenges() deletes expired ones", async () => {
      const store = getStore();
      const user = await store.createUser(newUser());
      const created = challenge(user.id, { ipAddress: null, endOtherSessions: true });
      await store.mfa.createMfaChallenge(created);
      const racing = await Promise.all([1, 2, 3].map(() => store.mfa.consumeMfaChallenge(created.id, at(20))));
      expect(racing.filter(Boolean)).toHaveLength(1);
      expect(await store.mfa.findMfaChallenge(created.id)).toEqual({ ...created, attempts: 0, usedAt: at(20) });
      expect(await store.mfa.countMfaAttempt(created.id, 5, at(21))).toBeNull();

      const later = challenge(user.id, { expiresAt: at(900) });
      await store.mfa.createMfaChallenge(later);
      expect(await store.mfa.pruneMfaChallenges(at(301))).toBeGreaterThanOrEqual(1);
      expect(await store.mfa.findMfaChallenge(created.id)).toBeNull();
      expect(await store.mfa.findMfaChallenge(later.id)).not.toBeNull();
    });

    test("deleteUser() takes the user's second factor with it", async () => {
      const store = getStore();
      const user = await enrolled(store);
      const created = challenge(user.id);
      await store.mfa.createMfaChallenge(created);
      expect(await store.deleteUser(user.id)).toBe(true);
      expect(await store.mfa.findTotp(user.id)).toBeNull();
      expect(await store.mfa.findMfaChallenge(created.id)).toBeNull();
    });
  });
}
