import { randomUUID } from "node:crypto";
import type { MailToken, OutboxMail, Prisma } from "../../generated/mongodb/client.js";
import type { MailTokenPurpose, MailTokenRecord, MailTokenRedemption, NewOutboxMail, OutboxMailRecord, RedeemMailTokenResult } from "../../auth/ports/store.js";
import { toUserRecord } from "./records.js";

// The mail tokens and the outbox on MongoDB: the work of one Store method each, run inside the store's
// transaction (retried on write conflicts), so a token exists only with its queued mail.

/** Maps a `mail_tokens` document to the port's record. */
export function toMailTokenRecord(row: MailToken): MailTokenRecord {
  return {
    tokenHash: row.tokenHash,
    userId: row.userId,
    purpose: row.purpose as MailTokenPurpose,
    email: row.email,
    createdAt: row.createdAt,
    expiresAt: row.expiresAt,
  };
}

/** Maps a `mail_outbox` document to the port's record. */
export function toOutboxMailRecord(row: OutboxMail): OutboxMailRecord {
  return {
    id: row.id,
    userId: row.userId ?? null,
    kind: row.kind,
    to: row.recipient,
    subject: row.subject,
    text: row.textBody ?? null,
    html: row.htmlBody ?? null,
    createdAt: row.createdAt,
    attempts: row.attempts,
    nextAttemptAt: row.nextAttemptAt,
    sentAt: row.sentAt ?? null,
    failedAt: row.failedAt ?? null,
  };
}

/** The documents of new outbox mails, every optional field written explicitly (issue 18). */
export function outboxDocuments(mails: readonly NewOutboxMail[]): Prisma.OutboxMailCreateManyInput[] {
  return mails.map((mail) => ({
    id: randomUUID(),
    userId: mail.userId,
    kind: mail.kind,
    recipient: mail.to,
    subject: mail.subject,
    textBody: mail.text,
    htmlBody: mail.html,
    createdAt: mail.createdAt,
    attempts: 0,
    nextAttemptAt: mail.createdAt,
    sentAt: null,
    failedAt: null,
    lastError: null,
  }));
}

/** Replaces the user's token of this purpose and queues its mail. */
export async function issueMailTokenIn(tx: Prisma.TransactionClient, token: MailTokenRecord, mail: NewOutboxMail | null): Promise<void> {
  await tx.mailToken.deleteMany({ where: { userId: token.userId, purpose: token.purpose } });
  await tx.mailToken.create({ data: { ...token } });
  if (mail) await tx.outboxMail.createMany({ data: outboxDocuments([mail]) });
}

/** Thrown inside the transaction to roll it back: another account took the new address. */
export class EmailTakenInRedemption extends Error {}

/**
 * Deletes the token if it is still this user's, for this purpose and unexpired, and applies the redemption.
 * A racing redemption deletes the same document, so MongoDB aborts one of the two transactions; run again, it
 * finds the token gone.
 */
export async function redeemMailTokenIn(tx: Prisma.TransactionClient, r: MailTokenRedemption): Promise<RedeemMailTokenResult> {
  const deleted = await tx.mailToken.deleteMany({
    where: { tokenHash: r.tokenHash, userId: r.userId, purpose: r.purpose, expiresAt: { gt: r.now } },
  });
  if (deleted.count === 0) return { ok: false };
  const user = await tx.user.findUnique({ where: { id: r.userId } });
  if (!user) return { ok: false };
  if (r.newEmail !== undefined) {
    const holder = await tx.user.findFirst({ where: { email: r.newEmail, id: { not: r.userId } }, select: { id: true } });
    if (holder) throw new EmailTakenInRedemption();
  }
  const email = r.newEmail ?? user.email;
  const data = { ...(r.newEmail !== undefined ? { email: r.newEmail } : {}), ...(email === r.verifiedEmail ? { emailVerifiedAt: r.now } : {}) };
  if (Object.keys(data).length > 0) await tx.user.updateMany({ where: { id: r.userId }, data });
  const updated = await tx.user.findUnique({ where: { id: r.userId } });
  if (!updated) return { ok: false };
  if (r.mails.length > 0) await tx.outboxMail.createMany({ data: outboxDocuments(r.mails) });
  return { ok: true, user: toUserRecord(updated) };
}

/** Takes due mails and leases them; in a transaction, so a racing worker's claim of one of them conflicts. */
export async function claimOutboxMailsIn(tx: Prisma.TransactionClient, now: Date, leaseUntil: Date, limit: number): Promise<OutboxMailRecord[]> {
  const due = await tx.outboxMail.findMany({
    where: { AND: [notSet("sentAt"), notSet("failedAt")], nextAttemptAt: { lte: now } },
    orderBy: [{ nextAttemptAt: "asc" }, { createdAt: "asc" }],
    take: limit,
  });
  if (due.length === 0) return [];
  await tx.outboxMail.updateMany({ where: { id: { in: due.map((mail) => mail.id) } }, data: { nextAttemptAt: leaseUntil } });
  return due.map((mail) => toOutboxMailRecord({ ...mail, nextAttemptAt: leaseUntil }));
}

/** `field` is null or missing (documents written before the field existed). */
function notSet(field: "sentAt" | "failedAt"): Prisma.OutboxMailWhereInput {
  return { OR: [{ [field]: null }, { [field]: { isSet: false } }] };
}
