/** The part of the storage port for the second factor (TOTP, recovery codes, MFA login challenges). */

/** A user's TOTP credential: pending until confirmed (`enabledAt` null), then active. */
export interface TotpRecord {
  userId: string;
  /** The secret encrypted under TOTP_ENCRYPTION_KEY (src/auth/totp.ts); never the secret itself. */
  secretSealed: string;
  enabledAt: Date | null;
  /** The last time step whose code was accepted: a code of that step or an earlier one is a replay. */
  lastUsedStep: number | null;
  createdAt: Date;
}

/**
 * Turning TOTP on or off, applied by `Store.applySecurityChange` (SecurityChange.totp) in the transaction that
 * rotates the stamp and ends the sessions: a failure can never leave TOTP changed with the old sessions alive.
 */
export type TotpChange =
  /**
   * Enables the pending secret `secretSealed`, with the step of the code that confirmed it and the hashes of new
   * recovery codes (replacing any old ones). Conditional on that secret still being the pending one: another
   * enrollment may have replaced it, or it may be enabled already.
   */
  | { enable: { secretSealed: string; step: number; recoveryCodeHashes: readonly string[] } }
  /** Deletes the user's TOTP credential (enabled or pending) and recovery codes. Conditional on there being one. */
  | { remove: true };

/** The first step of a login of an account with TOTP, which `completeMfaLogin` finishes. */
export interface NewMfaChallenge {
  /** The public half of the mfaToken. */
  id: string;
  userId: string;
  /** SHA-256 of the secret half, hex. */
  secretHash: string;
  /** The client address the password was proved from; the token works only from there. */
  ipAddress: string | null;
  /** The account's security stamp when the password was checked; a change since then voids the token. */
  securityStamp: string;
  /** LoginInput.endOtherSessions, applied when the session opens. */
  endOtherSessions: boolean;
  createdAt: Date;
  expiresAt: Date;
}

export interface MfaChallengeRecord extends NewMfaChallenge {
  /** Codes tried with it so far. */
  attempts: number;
  usedAt: Date | null;
}

/** Every question the second factor asks of a database; `Store.mfa` in each implementation. */
export interface MfaStore {
  findTotp(userId: string): Promise<TotpRecord | null>;
  /** Stores a new pending secret (replacing a pending one); false, changing nothing, when TOTP is already enabled. */
  savePendingTotp(userId: string, secretSealed: string, now: Date): Promise<boolean>;
  /** Records `step` as used. Concurrency: a conditional write; false when TOTP is off or the step is not later than the last used. */
  useTotpStep(userId: string, step: number): Promise<boolean>;
  /** Marks an unused recovery code used; the number still unused, or null when it was none of the user's unused codes (single use under races). */
  useRecoveryCode(userId: string, codeHash: string, now: Date): Promise<number | null>;

  createMfaChallenge(challenge: NewMfaChallenge): Promise<void>;
  findMfaChallenge(id: string): Promise<MfaChallengeRecord | null>;
  /**
   * Counts one code attempt, only while the challenge is unused, unexpired at `now` and under `maxAttempts`;
   * returns it afterwards, or null when it did not count. Concurrency: a conditional write, so racing guesses
   * never get more than `maxAttempts` between them.
   */
  countMfaAttempt(id: string, maxAttempts: number, now: Date): Promise<MfaChallengeRecord | null>;
  /** Marks the challenge used; false when it already was (single use under races). */
  consumeMfaChallenge(id: string, now: Date): Promise<boolean>;
  /** Deletes challenges that expired before `before`; returns how many. */
  pruneMfaChallenges(before: Date): Promise<number>;
}
