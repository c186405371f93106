import type { MfaChallenge, Prisma, PrismaClient, TotpCredential } from "../../generated/mongodb/client.js";
import type { MfaChallengeRecord, MfaStore, NewMfaChallenge, TotpChange, TotpRecord } from "../../auth/ports/mfa-store.js";
import { mfaChallengeDocument, nullOrUnset, recoveryCodeDocument, totpCredentialDocument } from "./documents.js";
import { guard } from "./errors.js";
import { isObjectId } from "./ids.js";

/** How the MongoStore runs work: transactions and single writes, each again on a write conflict. */
export interface MongoRunners {
  transaction<T>(work: (tx: Prisma.TransactionClient) => Promise<T>): Promise<T>;
  write<T>(operation: () => Promise<T>): Promise<T>;
}

/**
 * The second factor's records on MongoDB. Every read-then-write runs in a transaction (see MongoStore: an
 * `updateMany` alone is not a conditional write there), so racing callers conflict and one of them wins.
 * Null filters match absent fields too (nullOrUnset, issue 18).
 */
export class MongoMfaStore implements MfaStore {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly run: MongoRunners,
  ) {}

  findTotp(userId: string): Promise<TotpRecord | null> {
    if (!isObjectId(userId)) return Promise.resolve(null);
    return guard(async () => {
      const row = await this.prisma.totpCredential.findUnique({ where: { userId } });
      return row && toTotpRecord(row);
    });
  }

  savePendingTotp(userId: string, secretSealed: string, now: Date): Promise<boolean> {
    if (!isObjectId(userId)) return Promise.resolve(false);
    return this.run.transaction(async (tx) => {
      const existing = await tx.totpCredential.findUnique({ where: { userId } });
      if (existing?.enabledAt) return false;
      if (!existing) {
        await tx.totpCredential.create({ data: totpCredentialDocument(userId, secretSealed, now) });
        return true;
      }
      const { count } = await tx.totpCredential.updateMany({
        where: { userId, ...nullOrUnset("enabledAt") },
        data: { secretSealed, lastUsedStep: null, createdAt: now },
      });
      return count === 1;
    });
  }

  useTotpStep(userId: string, step: number): Promise<boolean> {
    if (!isObjectId(userId)) return Promise.resolve(false);
    return this.run.transaction(async (tx) => {
      const { count } = await tx.totpCredential.updateMany({
        where: { userId, enabledAt: { not: null }, OR: [...nullOrUnset("lastUsedStep").OR, { lastUsedStep: { lt: step } }] },
        data: { lastUsedStep: step },
      });
      return count === 1;
    });
  }

  useRecoveryCode(userId: string, codeHash: string, now: Date): Promise<number | null> {
    if (!isObjectId(userId)) return Promise.resolve(null);
    return this.run.transaction(async (tx) => {
      const { count } = await tx.recoveryCode.updateMany({ where: { userId, codeHash, ...nullOrUnset("usedAt") }, data: { usedAt: now } });
      if (count === 0) return null;
      return (await tx.recoveryCode.findMany({ where: { userId, ...nullOrUnset("usedAt") }, select: { id: true } })).length;
    });
  }

  createMfaChallenge(challenge: NewMfaChallenge): Promise<void> {
    return this.run.write(async () => {
      await this.prisma.mfaChallenge.create({ data: mfaChallengeDocument(challenge) });
    });
  }

  findMfaChallenge(id: string): Promise<MfaChallengeRecord | null> {
    return guard(async () => {
      const row = await this.prisma.mfaChallenge.findUnique({ where: { id } });
      return row && toMfaChallengeRecord(row);
    });
  }

  countMfaAttempt(id: string, maxAttempts: number, now: Date): Promise<MfaChallengeRecord | null> {
    return this.run.transaction(async (tx) => {
      const { count } = await tx.mfaChallenge.updateMany({
        where: { id, expiresAt: { gt: now }, attempts: { lt: maxAttempts }, ...nullOrUnset("usedAt") },
        data: { attempts: { increment: 1 } },
      });
      if (count === 0) return null;
      const row = await tx.mfaChallenge.findUnique({ where: { id } });
      return row && toMfaChallengeRecord(row);
    });
  }

  consumeMfaChallenge(id: string, now: Date): Promise<boolean> {
    return this.run.transaction(async (tx) => {
      const { count } = await tx.mfaChallenge.updateMany({ where: { id, ...nullOrUnset("usedAt") }, data: { usedAt: now } });
      return count === 1;
    });
  }

  pruneMfaChallenges(before: Date): Promise<number> {
    return this.run.write(async () => {
      const { count } = await this.prisma.mfaChallenge.deleteMany({ where: { expiresAt: { lt: before } } });
      return count;
    });
  }

  /**
   * The TOTP part of applySecurityChangeIn, inside its transaction and after its write of the user document; false
   * when the change's condition does not hold (the caller then aborts the transaction, undoing that write).
   */
  static async applyTotpChangeIn(tx: Prisma.TransactionClient, userId: string, change: TotpChange, now: Date): Promise<boolean> {
    if ("remove" in change) {
      const { count } = await tx.totpCredential.deleteMany({ where: { userId } });
      if (count === 0) return false;
      await tx.recoveryCode.deleteMany({ where: { userId } });
      return true;
    }
    const { secretSealed, step, recoveryCodeHashes } = change.enable;
    const { count } = await tx.totpCredential.updateMany({
      where: { userId, secretSealed, ...nullOrUnset("enabledAt") },
      data: { enabledAt: now, lastUsedStep: step },
    });
    if (count === 0) return false;
    await tx.recoveryCode.deleteMany({ where: { userId } });
    await tx.recoveryCode.createMany({ data: recoveryCodeHashes.map((hash) => recoveryCodeDocument(userId, hash, now)) });
    return true;
  }

  /** Inside deleteUser's transaction: the user's second factor goes with them. */
  static async deleteUserIn(tx: Prisma.TransactionClient, userId: string): Promise<void> {
    await tx.recoveryCode.deleteMany({ where: { userId } });
    await tx.totpCredential.deleteMany({ where: { userId } });
    await tx.mfaChallenge.deleteMany({ where: { userId } });
  }
}

function toTotpRecord(row: TotpCredential): TotpRecord {
  return {
    userId: row.userId,
    secretSealed: row.secretSealed,
    enabledAt: row.enabledAt ?? null,
    lastUsedStep: row.lastUsedStep ?? null,
    createdAt: row.createdAt,
  };
}

function toMfaChallengeRecord(row: MfaChallenge): MfaChallengeRecord {
  return {
    id: row.id,
    userId: row.userId,
    secretHash: row.secretHash,
    ipAddress: row.ipAddress ?? null,
    securityStamp: row.securityStamp,
    endOtherSessions: row.endOtherSessions,
    createdAt: row.createdAt,
    expiresAt: row.expiresAt,
    attempts: row.attempts,
    usedAt: row.usedAt ?? null,
  };
}
