import { randomUUID } from "node:crypto";
import type pg from "pg";
import type { MfaChallenge, PrismaClient, TotpCredential } from "../../generated/postgresql/client.js";
import type { MfaChallengeRecord, MfaStore, NewMfaChallenge, TotpChange, TotpRecord } from "../../auth/ports/mfa-store.js";
import { guard } from "./errors.js";
import { isUuid } from "./records.js";
import * as sql from "./statements.js";

/**
 * The second factor's records on PostgreSQL. Every conditional write is one UPDATE whose WHERE is re-checked
 * under the row lock (READ COMMITTED), so of racing callers exactly one wins.
 */
export class PostgresMfaStore implements MfaStore {
  constructor(private readonly prisma: PrismaClient) {}

  findTotp(userId: string): Promise<TotpRecord | null> {
    if (!isUuid(userId)) return Promise.resolve(null);
    return guard(async () => {
      const row = await this.prisma.totpCredential.findUnique({ where: { userId } });
      return row && toTotpRecord(row);
    });
  }

  savePendingTotp(userId: string, secretSealed: string, now: Date): Promise<boolean> {
    if (!isUuid(userId)) return Promise.resolve(false);
    return guard(async () => {
      // one statement: an enabled credential is never overwritten, even by a racing enrollment
      const written = await this.prisma.$executeRaw`
        INSERT INTO totp_credentials (user_id, secret_sealed, enabled_at, last_used_step, created_at)
        VALUES (${userId}::uuid, ${secretSealed}, NULL, NULL, ${now})
        ON CONFLICT (user_id) DO UPDATE SET secret_sealed = EXCLUDED.secret_sealed, last_used_step = NULL, created_at = EXCLUDED.created_at
        WHERE totp_credentials.enabled_at IS NULL`;
      return written === 1;
    });
  }

  useTotpStep(userId: string, step: number): Promise<boolean> {
    if (!isUuid(userId)) return Promise.resolve(false);
    return guard(async () => {
      const { count } = await this.prisma.totpCredential.updateMany({
        where: { userId, enabledAt: { not: null }, OR: [{ lastUsedStep: null }, { lastUsedStep: { lt: step } }] },
        data: { lastUsedStep: step },
      });
      return count === 1;
    });
  }

  useRecoveryCode(userId: string, codeHash: string, now: Date): Promise<number | null> {
    if (!isUuid(userId)) return Promise.resolve(null);
    return guard(() =>
      this.prisma.$transaction(async (tx) => {
        const { count } = await tx.recoveryCode.updateMany({ where: { userId, codeHash, usedAt: null }, data: { usedAt: now } });
        if (count === 0) return null;
        return tx.recoveryCode.count({ where: { userId, usedAt: null } });
      }),
    );
  }

  createMfaChallenge(challenge: NewMfaChallenge): Promise<void> {
    return guard(async () => {
      await this.prisma.mfaChallenge.create({ data: { ...challenge, attempts: 0, usedAt: null } });
    });
  }

  findMfaChallenge(id: string): Promise<MfaChallengeRecord | null> {
    return guard(async () => {
      const row = await this.prisma.mfaChallenge.findUnique({ where: { id } });
      return row && toMfaChallengeRecord(row);
    });
  }

  countMfaAttempt(id: string, maxAttempts: number, now: Date): Promise<MfaChallengeRecord | null> {
    return guard(async () => {
      const { count } = await this.prisma.mfaChallenge.updateMany({
        where: { id, usedAt: null, expiresAt: { gt: now }, attempts: { lt: maxAttempts } },
        data: { attempts: { increment: 1 } },
      });
      if (count === 0) return null;
      const row = await this.prisma.mfaChallenge.findUnique({ where: { id } });
      return row && toMfaChallengeRecord(row);
    });
  }

  consumeMfaChallenge(id: string, now: Date): Promise<boolean> {
    return guard(async () => {
      const { count } = await this.prisma.mfaChallenge.updateMany({ where: { id, usedAt: null }, data: { usedAt: now } });
      return count === 1;
    });
  }

  pruneMfaChallenges(before: Date): Promise<number> {
    return guard(async () => {
      const { count } = await this.prisma.mfaChallenge.deleteMany({ where: { expiresAt: { lt: before } } });
      return count;
    });
  }

  /**
   * The TOTP part of PostgresStore.applySecurityChange, inside its transaction and after its lock on the user row;
   * false when the change's condition does not hold (the caller then rolls everything back).
   */
  static async applyTotpChangeIn(client: pg.PoolClient, userId: string, change: TotpChange, now: Date): Promise<boolean> {
    if ("remove" in change) {
      const removed = await client.query({ ...sql.DELETE_TOTP, values: [userId] });
      if (removed.rowCount === 0) return false;
      await client.query({ ...sql.DELETE_RECOVERY_CODES, values: [userId] });
      return true;
    }
    const { secretSealed, step, recoveryCodeHashes } = change.enable;
    const enabled = await client.query({ ...sql.ENABLE_TOTP, values: [userId, secretSealed, step, now] });
    if (enabled.rowCount === 0) return false;
    await client.query({ ...sql.DELETE_RECOVERY_CODES, values: [userId] });
    const ids = recoveryCodeHashes.map(() => randomUUID());
    await client.query({ ...sql.INSERT_RECOVERY_CODES, values: [userId, ids, recoveryCodeHashes, now] });
    return true;
  }
}

function toTotpRecord(row: TotpCredential): TotpRecord {
  return { userId: row.userId, secretSealed: row.secretSealed, enabledAt: row.enabledAt, lastUsedStep: row.lastUsedStep, createdAt: row.createdAt };
}

function toMfaChallengeRecord(row: MfaChallenge): MfaChallengeRecord {
  return {
    id: row.id,
    userId: row.userId,
    secretHash: row.secretHash,
    ipAddress: row.ipAddress,
    securityStamp: row.securityStamp,
    endOtherSessions: row.endOtherSessions,
    createdAt: row.createdAt,
    expiresAt: row.expiresAt,
    attempts: row.attempts,
    usedAt: row.usedAt,
  };
}
