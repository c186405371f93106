import type { MfaChallengeRecord, MfaStore, NewMfaChallenge, TotpChange, TotpRecord } from "../auth/ports/mfa-store.js";

const copy = <T>(value: T): T => structuredClone(value);

/** The second factor's records in process memory; every method is synchronous inside, so each call is atomic. */
export class MemoryMfaStore implements MfaStore {
  private readonly totp = new Map<string, TotpRecord>();
  /** user id → code hash → used at (null: unused). */
  private readonly recoveryCodes = new Map<string, Map<string, Date | null>>();
  private readonly challenges = new Map<string, MfaChallengeRecord>();

  async findTotp(userId: string): Promise<TotpRecord | null> {
    const record = this.totp.get(userId);
    return record ? copy(record) : null;
  }

  async savePendingTotp(userId: string, secretSealed: string, now: Date): Promise<boolean> {
    if (this.totp.get(userId)?.enabledAt) return false;
    this.totp.set(userId, { userId, secretSealed, enabledAt: null, lastUsedStep: null, createdAt: new Date(now) });
    return true;
  }

  async useTotpStep(userId: string, step: number): Promise<boolean> {
    const record = this.totp.get(userId);
    if (!record?.enabledAt || (record.lastUsedStep !== null && record.lastUsedStep >= step)) return false;
    record.lastUsedStep = step;
    return true;
  }

  async useRecoveryCode(userId: string, codeHash: string, now: Date): Promise<number | null> {
    const codes = this.recoveryCodes.get(userId);
    if (!codes || codes.get(codeHash) !== null) return null; // undefined: not one of them; a Date: used
    codes.set(codeHash, new Date(now));
    return [...codes.values()].filter((usedAt) => usedAt === null).length;
  }

  async createMfaChallenge(challenge: NewMfaChallenge): Promise<void> {
    this.challenges.set(challenge.id, { ...copy(challenge), attempts: 0, usedAt: null });
  }

  async findMfaChallenge(id: string): Promise<MfaChallengeRecord | null> {
    const challenge = this.challenges.get(id);
    return challenge ? copy(challenge) : null;
  }

  async countMfaAttempt(id: string, maxAttempts: number, now: Date): Promise<MfaChallengeRecord | null> {
    const challenge = this.challenges.get(id);
    if (!challenge || challenge.usedAt !== null || challenge.expiresAt <= now || challenge.attempts >= maxAttempts) return null;
    challenge.attempts++;
    return copy(challenge);
  }

  async consumeMfaChallenge(id: string, now: Date): Promise<boolean> {
    const challenge = this.challenges.get(id);
    if (!challenge || challenge.usedAt !== null) return false;
    challenge.usedAt = new Date(now);
    return true;
  }

  async pruneMfaChallenges(before: Date): Promise<number> {
    let pruned = 0;
    for (const [id, challenge] of this.challenges) {
      if (challenge.expiresAt < before && this.challenges.delete(id)) pruned++;
    }
    return pruned;
  }

  /**
   * The TOTP part of MemoryStore.applySecurityChange; false, changing nothing, when its condition does not hold.
   * Synchronous, so the store checks and writes it with the stamp and the sessions in one atomic step.
   */
  applyTotpChange(userId: string, change: TotpChange, now: Date): boolean {
    if ("remove" in change) {
      this.recoveryCodes.delete(userId);
      return this.totp.delete(userId);
    }
    const { secretSealed, step, recoveryCodeHashes } = change.enable;
    const record = this.totp.get(userId);
    if (!record || record.enabledAt !== null || record.secretSealed !== secretSealed) return false;
    Object.assign(record, { enabledAt: new Date(now), lastUsedStep: step });
    this.recoveryCodes.set(userId, new Map(recoveryCodeHashes.map((hash) => [hash, null])));
    return true;
  }

  /** Drops everything of a deleted user. */
  forgetUser(userId: string): void {
    this.recoveryCodes.delete(userId);
    this.totp.delete(userId);
    for (const [id, challenge] of this.challenges) if (challenge.userId === userId) this.challenges.delete(id);
  }
}
