import { randomBytes } from "node:crypto";
import { describe, expect, test } from "vitest";
import type { NewMfaChallenge } from "../src/auth/ports/mfa-store.js";
import type { Store } from "../src/auth/ports/store.js";
import { at, newUser } from "./store-contract.js";

/**
 * The second factor's part of the store contract (issue 15): a pending secret never replaces an enabled one, a
 * TOTP step and a recovery code are accepted once, and an mfaToken's attempts and single use hold under races.
 * @see issue 15
 */
export function describeMfaContract(getStore: () => Store): void {
  describe("second factor", () => {
    const hashes = ["hash-a", "hash-b", "hash-c"];

    async function enrolled(store: Store) {
      const user = await store.createUser(newUser());
      expect(await store.mfa.savePendingTotp(user.id, "v1.sealed", at(0))).toBe(true);
      expect(await store.mfa.enableTotp(user.id, "v1.sealed", 100, hashes, at(1))).toBe(true);
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

    test("savePendingTotp() stores and replaces a pending secret, never an enabled one; enableTotp() needs the pending one", async () => {
      const store = getStore();
      const user = await store.createUser(newUser());
      expect(await store.mfa.findTotp(user.id)).toBeNull();
      expect(await store.mfa.savePendingTotp(user.id, "v1.first", at(0))).toBe(true);
      expect(await store.mfa.savePendingTotp(user.id, "v1.second", at(5))).toBe(true);
      expect(await store.mfa.findTotp(user.id)).toEqual({ userId: user.id, secretSealed: "v1.second", enabledAt: null, lastUsedStep: null, createdAt: at(5) });
      expect(await store.mfa.enableTotp(user.id, "v1.first", 7, hashes, at(6))).toBe(false);
      expect(await store.mfa.enableTotp(user.id, "v1.second", 7, hashes, at(6))).toBe(true);
      expect(await store.mfa.enableTotp(user.id, "v1.second", 8, hashes, at(7))).toBe(false);
      expect(await store.mfa.findTotp(user.id)).toEqual({ userId: user.id, secretSealed: "v1.second", enabledAt: at(6), lastUsedStep: 7, createdAt: at(5) });
      expect(await store.mfa.savePendingTotp(user.id, "v1.third", at(8))).toBe(false);
      expect((await store.mfa.findTotp(user.id))?.secretSealed).toBe("v1.second");
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

    test("useRecoveryCode() spends each code once, even when racing, and counts those left; deleteTotp() removes them", async () => {
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
      expect(await store.mfa.deleteTotp(user.id)).toBe(true);
      expect(await store.mfa.deleteTotp(user.id)).toBe(false);
      expect(await store.mfa.findTotp(user.id)).toBeNull();
      expect(await store.mfa.useRecoveryCode(user.id, "hash-c", at(4))).toBeNull();
      await store.mfa.savePendingTotp(user.id, "v1.again", at(5));
      await store.mfa.enableTotp(user.id, "v1.again", 200, ["hash-x"], at(5));
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
