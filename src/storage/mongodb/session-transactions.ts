import { randomUUID } from "node:crypto";
import type { Prisma } from "../../generated/mongodb/client.js";
import type {
  NewRefreshToken,
  NewSession,
  RotateResult,
  SecurityChange,
  SecurityChangeResult,
  SessionLimitDecision,
  StartSessionResult,
} from "../../auth/ports/store.js";
import { nullOrUnset, refreshTokenDocument, sessionDocument } from "./documents.js";
import { outboxDocuments } from "./mail-transactions.js";
import { MongoMfaStore } from "./mongodb-mfa-store.js";
import { stampFilter, toRefreshTokenRecord, toSessionRecord, toUserRecord } from "./records.js";

/** Thrown inside a transaction to roll it back when a conditional write lost its race. */
export class LostRace extends Error {}

/** Thrown inside applySecurityChangeIn's transaction to roll it back when a part of the change cannot apply. */
export class SecurityChangeRefused extends Error {
  constructor(readonly reason: "TOTP_CHANGED" | "TOKEN_SPENT") {
    super(reason);
  }
}

/**
 * The body of MongoStore.startSession, run inside a transaction that is retried on write conflicts.
 *
 * Atomicity: the transaction's first write bumps the user's `loginSerial`. Two logins of one user both write
 * that document, so MongoDB aborts the later one with a write conflict; run again from a fresh snapshot, it
 * sees the first one's session. Logins of a user are thus serialised, and `decide` sees the ACTIVE sessions as
 * they are: two logins racing for the last slot never both win. The bump is conditional on the user being enabled
 * and on the stamp the login read: a password change or disable (applySecurityChangeIn) writes the same document,
 * so whichever commits second conflicts, runs again, and either ends the new session or finds the new stamp.
 */
export async function startSessionIn(
  tx: Prisma.TransactionClient,
  session: NewSession,
  token: NewRefreshToken,
  decide: SessionLimitDecision,
  now: Date,
  expectedStamp: string,
): Promise<StartSessionResult> {
  const bumped = await tx.user.updateMany({
    where: { id: session.userId, AND: [stampFilter(expectedStamp), nullOrUnset("disabledAt")] },
    data: { loginSerial: { increment: 1 } },
  });
  if (bumped.count === 0) return { ok: false, reason: "ACCOUNT_CHANGED" };
  const activeRows = await tx.session.findMany({
    where: { userId: session.userId, status: "ACTIVE" },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
  });
  const active = activeRows.map(toSessionRecord);
  const decision = decide(active);
  if (decision === "reject") return { ok: false, reason: "SESSION_LIMIT_REACHED" };

  const replaceIds = new Set(decision.replace);
  const replaced = active.filter((candidate) => replaceIds.has(candidate.id));
  if (replaced.length > 0) {
    await tx.session.updateMany({
      where: { id: { in: replaced.map((candidate) => candidate.id) }, status: "ACTIVE" },
      data: { status: "REPLACED", endedAt: now },
    });
  }
  const created = await tx.session.create({ data: sessionDocument(session) });
  await tx.refreshToken.create({ data: refreshTokenDocument(token) });
  return {
    ok: true,
    session: toSessionRecord(created),
    replaced: replaced.map((old) => ({ ...old, status: "REPLACED" as const, endedAt: now })),
  };
}

/**
 * The body of MongoStore.rotateRefreshToken, run inside a transaction that is retried on write conflicts.
 * Throws LostRace when the token was rotated already (the caller then reports ALREADY_ROTATED).
 *
 * Atomicity: one transaction holds the session slide, the conditional `updateMany` of the old token
 * (`rotatedAt` null or unset) and the successor's insert. Racing rotations write the same session and token documents,
 * so all but one abort with a write conflict and run again; on that run the token is rotated, the conditional
 * update counts 0 and they roll back. The count decides the winner; a loser leaves nothing behind.
 */
export async function rotateRefreshTokenIn(
  tx: Prisma.TransactionClient,
  oldTokenId: string,
  successor: NewRefreshToken & { sealedForPredecessor: string },
  sessionExpiresAt: Date,
  now: Date,
): Promise<RotateResult> {
  const { sealedForPredecessor, ...next } = successor;
  const old = await tx.refreshToken.findUnique({ where: { id: oldTokenId }, select: { sessionId: true } });
  if (old === null) return { ok: false, reason: "SESSION_ENDED" };
  const slid = await tx.session.updateMany({
    where: { id: old.sessionId, status: "ACTIVE" },
    data: { expiresAt: sessionExpiresAt, lastUsedAt: now },
  });
  if (slid.count === 0) return { ok: false, reason: "SESSION_ENDED" };
  const rotated = await tx.refreshToken.updateMany({
    // null or absent: tokens stored before every create wrote `rotatedAt: null` lack the field (issue 18)
    where: { id: oldTokenId, ...nullOrUnset("rotatedAt") },
    data: { rotatedAt: now, successorId: next.id, successorSecretSealed: sealedForPredecessor },
  });
  if (rotated.count === 0) throw new LostRace(); // roll back the session slide too
  const token = await tx.refreshToken.create({ data: refreshTokenDocument({ ...next, sessionId: old.sessionId }) });
  const session = await tx.session.findUniqueOrThrow({ where: { id: old.sessionId } });
  return { ok: true, session: toSessionRecord(session), token: toRefreshTokenRecord(token) };
}

/**
 * The body of MongoStore.applySecurityChange, run inside a transaction that is retried on write conflicts.
 * Throws SecurityChangeRefused when `change.totp` or `change.redeem` cannot apply (the caller then reports its reason).
 * Atomicity: the conditional update of the user document (new stamp, bumped `loginSerial`) conflicts with any
 * login's transaction in progress (it writes that document too), and the TOTP change, the token's redemption and
 * the sessions' end are in the same transaction. Racing redemptions of one token delete the same document (and
 * write the same user document), so MongoDB aborts all but one; run again, they find the token gone.
 */
export async function applySecurityChangeIn(tx: Prisma.TransactionClient, userId: string, change: SecurityChange, now: Date): Promise<SecurityChangeResult> {
  const { expectedStamp, passwordHash, disabledAt, endSessions, totp, redeem } = change;
  const updated = await tx.user.updateMany({
    where: { id: userId, ...(expectedStamp !== null ? { AND: [stampFilter(expectedStamp)] } : {}) },
    data: {
      securityStamp: randomUUID(),
      loginSerial: { increment: 1 },
      ...(passwordHash !== undefined ? { passwordHash } : {}),
      ...(disabledAt !== undefined ? { disabledAt } : {}),
    },
  });
  if (updated.count === 0) {
    const exists = await tx.user.findUnique({ where: { id: userId }, select: { id: true } });
    return { ok: false, reason: exists ? "STAMP_CHANGED" : "NOT_FOUND" };
  }
  // the stamp is already rotated in this transaction: a part that cannot apply must undo it
  if (totp !== undefined && !(await MongoMfaStore.applyTotpChangeIn(tx, userId, totp, now))) throw new SecurityChangeRefused("TOTP_CHANGED");
  if (redeem !== undefined) {
    const deleted = await tx.mailToken.deleteMany({
      where: { tokenHash: redeem.tokenHash, userId, purpose: redeem.purpose, expiresAt: { gt: now } },
    });
    if (deleted.count === 0) throw new SecurityChangeRefused("TOKEN_SPENT");
    await tx.user.updateMany({ where: { id: userId, email: redeem.verifiedEmail }, data: { emailVerifiedAt: now } });
    if (redeem.mails.length > 0) await tx.outboxMail.createMany({ data: outboxDocuments(redeem.mails) });
  }
  const except = endSessions.exceptSessionId !== null ? { id: { not: endSessions.exceptSessionId } } : {};
  const ended = await tx.session.updateMany({
    where: { userId, status: "ACTIVE", ...except },
    data: { status: endSessions.status, endedAt: now },
  });
  const user = await tx.user.findUniqueOrThrow({ where: { id: userId } });
  return { ok: true, user: toUserRecord(user), sessionsEnded: ended.count };
}
