import { createHash, randomBytes, randomUUID } from "node:crypto";
import { describe, expect, test } from "vitest";
import { DuplicateError, type MailTokenRecord, type NewOutboxMail, type NewUser, type Store } from "../src/auth/ports/store.js";

const T0 = Date.parse("2030-01-01T00:00:00.000Z");
const at = (seconds: number): Date => new Date(T0 + seconds * 1000);
const random = (): string => randomBytes(6).toString("hex");

function mailToken(userId: string, overrides: Partial<MailTokenRecord> = {}): MailTokenRecord {
  return {
    tokenHash: createHash("sha256").update(random()).digest("hex"),
    userId,
    purpose: "PASSWORD_RESET",
    email: `user-${random()}@example.com`,
    createdAt: at(0),
    expiresAt: at(3600),
    ...overrides,
  };
}

function mail(to: string, overrides: Partial<NewOutboxMail> = {}): NewOutboxMail {
  return {
    userId: null,
    kind: "PASSWORD_RESET",
    to,
    subject: "Reset your password",
    text: "link: https://x/?t=1",
    html: "<p>link</p>",
    createdAt: at(0),
    ...overrides,
  };
}

/**
 * Mail tokens and the outbox (issue 13): the cases every Store must pass, run by describeStoreContract.
 * `store()` is the test's open store; `createUser` makes an account in it.
 */
export function describeMailStoreContract(store: () => Store, createUser: (overrides?: Partial<NewUser>) => Promise<{ id: string; email: string }>): void {
  describe("mail tokens (@see issue 13)", () => {
    test("issueMailToken() stores only what it is given and queues the mail with it", async () => {
      const user = await createUser();
      const token = mailToken(user.id, { email: user.email });
      await store().issueMailToken(token, mail(user.email, { userId: user.id }));
      expect(await store().findMailToken(token.tokenHash)).toEqual(token);
      const [queued] = await store().listOutboxMails(user.email);
      expect(queued).toMatchObject({
        userId: user.id,
        kind: "PASSWORD_RESET",
        to: user.email,
        attempts: 0,
        sentAt: null,
        failedAt: null,
        text: "link: https://x/?t=1",
      });
      expect(await store().findMailToken("0".repeat(64))).toBeNull();
    });

    test("a newer token of the same purpose replaces the older; other purposes stay", async () => {
      const user = await createUser();
      const older = mailToken(user.id);
      const verification = mailToken(user.id, { purpose: "EMAIL_VERIFICATION" });
      const newer = mailToken(user.id, { createdAt: at(10) });
      for (const token of [older, verification, newer]) await store().issueMailToken(token, mail(user.email));
      expect(await store().findMailToken(older.tokenHash)).toBeNull();
      expect(await store().findMailToken(newer.tokenHash)).toEqual(newer);
      expect(await store().findMailToken(verification.tokenHash)).toEqual(verification);
    });

    test("redeemMailToken() uses the token once, marks the address verified and queues its notices", async () => {
      const user = await createUser();
      const other = await createUser();
      const token = mailToken(user.id, { email: user.email });
      await store().issueMailToken(token, mail(user.email));
      const redemption = {
        tokenHash: token.tokenHash,
        userId: user.id,
        purpose: "PASSWORD_RESET" as const,
        now: at(60),
        verifiedEmail: user.email,
        mails: [mail(user.email, { kind: "PASSWORD_CHANGED" })],
      };
      const results = await Promise.all([store().redeemMailToken(redemption), store().redeemMailToken(redemption)]);
      expect(results.filter((r) => r.ok)).toHaveLength(1);
      const done = results.find((r) => r.ok)!;
      expect(done).toMatchObject({ ok: true, user: { id: user.id, email: user.email, emailVerifiedAt: at(60) } });
      expect(await store().findMailToken(token.tokenHash)).toBeNull();
      expect(await store().redeemMailToken(redemption)).toEqual({ ok: false });
      expect((await store().listOutboxMails(user.email)).map((m) => m.kind).sort()).toEqual(["PASSWORD_CHANGED", "PASSWORD_RESET"]);
      expect((await store().findUserById(other.id))?.emailVerifiedAt).toBeNull();
    });

    test("redeemMailToken() refuses an expired token, another purpose or another user", async () => {
      const user = await createUser();
      const token = mailToken(user.id, { email: user.email, expiresAt: at(100) });
      await store().issueMailToken(token, mail(user.email));
      const base = { tokenHash: token.tokenHash, userId: user.id, purpose: "PASSWORD_RESET" as const, now: at(50), verifiedEmail: user.email, mails: [] };
      expect(await store().redeemMailToken({ ...base, purpose: "EMAIL_VERIFICATION" })).toEqual({ ok: false });
      expect(await store().redeemMailToken({ ...base, userId: (await createUser()).id })).toEqual({ ok: false });
      expect(await store().redeemMailToken({ ...base, now: at(100) })).toEqual({ ok: false });
      expect(await store().deleteExpiredMailTokens(at(101))).toBe(1);
      expect(await store().findMailToken(token.tokenHash)).toBeNull();
    });

    test("redeemMailToken() changes the email, verified, or throws DuplicateError when it was taken meanwhile", async () => {
      const user = await createUser();
      const newEmail = `new-${random()}@example.com`;
      const token = mailToken(user.id, { purpose: "EMAIL_CHANGE", email: newEmail });
      await store().issueMailToken(token, mail(newEmail));
      const redemption = {
        tokenHash: token.tokenHash,
        userId: user.id,
        purpose: "EMAIL_CHANGE" as const,
        now: at(5),
        newEmail,
        verifiedEmail: newEmail,
        mails: [],
      };
      const squatter = await createUser({ email: newEmail });
      await expect(store().redeemMailToken(redemption)).rejects.toBeInstanceOf(DuplicateError);
      expect((await store().findUserById(user.id))?.email).toBe(user.email);
      await store().deleteUser(squatter.id);
      const result = await store().redeemMailToken(redemption);
      expect(result).toMatchObject({ ok: true, user: { email: newEmail, emailVerifiedAt: at(5) } });
    });

    test("verification only marks the address it was mailed to", async () => {
      const user = await createUser();
      const token = mailToken(user.id, { purpose: "EMAIL_VERIFICATION", email: "old-address@example.com" });
      await store().issueMailToken(token, mail(user.email));
      const result = await store().redeemMailToken({
        tokenHash: token.tokenHash,
        userId: user.id,
        purpose: "EMAIL_VERIFICATION",
        now: at(1),
        verifiedEmail: token.email,
        mails: [],
      });
      expect(result).toMatchObject({ ok: true, user: { emailVerifiedAt: null } });
    });

    test("createUser() keeps emailVerifiedAt when given, null otherwise; deleteUser() takes the tokens along", async () => {
      const verified = await store().createUser({
        email: `v-${random()}@example.com`,
        username: null,
        passwordHash: "h",
        roles: [],
        profile: {},
        emailVerifiedAt: at(7),
      });
      expect(verified.emailVerifiedAt).toEqual(at(7));
      const user = await createUser();
      expect((await store().findUserById(user.id))?.emailVerifiedAt).toBeNull();
      const token = mailToken(user.id);
      await store().issueMailToken(token, mail(user.email));
      await store().deleteUser(user.id);
      expect(await store().findMailToken(token.tokenHash)).toBeNull();
    });
  });

  describe("mail outbox (@see issue 13)", () => {
    test("claimOutboxMails() takes due mails once, leased; sent mails lose their bodies", async () => {
      const to = `to-${random()}@example.com`;
      await store().enqueueMails([mail(to, { createdAt: at(0) }), mail(to, { createdAt: at(1), kind: "PASSWORD_CHANGED" })]);
      await store().enqueueMails([mail(to, { createdAt: at(500) })]);
      const [first, second] = await Promise.all([store().claimOutboxMails(at(10), at(130), 10), store().claimOutboxMails(at(10), at(130), 10)]);
      const claimed = [...first!, ...second!];
      expect(claimed.map((m) => m.kind).sort()).toEqual(["PASSWORD_CHANGED", "PASSWORD_RESET"]);
      expect(claimed.every((m) => m.nextAttemptAt.getTime() === at(130).getTime())).toBe(true);
      expect(await store().claimOutboxMails(at(20), at(140), 10)).toEqual([]);

      await store().markOutboxMailSent(claimed[0]!.id, at(11));
      expect(await store().findOutboxMail(claimed[0]!.id)).toMatchObject({ sentAt: at(11), text: null, html: null, subject: "Reset your password" });
      // an expired lease makes an unsent mail due again; a sent one never is
      const again = await store().claimOutboxMails(at(130), at(250), 10);
      expect(again.map((m) => m.id)).toEqual([claimed[1]!.id]);
    });

    test("markOutboxMailFailed() schedules a retry, or gives up and deletes the bodies; pruneOutboxMails() clears done mails", async () => {
      const to = `to-${random()}@example.com`;
      await store().enqueueMails([mail(to)]);
      const [claimed] = await store().claimOutboxMails(at(1), at(100), 1);
      await store().markOutboxMailFailed(claimed!.id, { now: at(2), retryAt: at(30), error: "ECONNREFUSED" });
      expect(await store().findOutboxMail(claimed!.id)).toMatchObject({ attempts: 1, nextAttemptAt: at(30), failedAt: null });
      expect(await store().claimOutboxMails(at(29), at(200), 1)).toEqual([]);
      const [retried] = await store().claimOutboxMails(at(30), at(200), 1);
      await store().markOutboxMailFailed(retried!.id, { now: at(31), retryAt: null, error: "550 no such user" });
      expect(await store().findOutboxMail(claimed!.id)).toMatchObject({ attempts: 2, failedAt: at(31), text: null, html: null });
      expect(await store().claimOutboxMails(at(10_000), at(10_100), 1)).toEqual([]);
      expect(await store().pruneOutboxMails(at(31))).toBe(0);
      expect(await store().pruneOutboxMails(at(32))).toBe(1);
      expect(await store().findOutboxMail(claimed!.id)).toBeNull();
      expect(await store().findOutboxMail(randomUUID())).toBeNull();
    });
  });
}
