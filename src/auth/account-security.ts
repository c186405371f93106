import type { TotpChange } from "./ports/mfa-store.js";
import type { SecurityChangeResult, SecurityTokenRedemption, SessionStatus } from "./ports/store.js";
import type { AuthDeps } from "./deps.js";

/** What a password change or reset, a disable or a TOTP change does to an account. */
export interface AccountSecurityChange {
  /** The new password hash, for a password change or reset. */
  passwordHash?: string;
  /** Disables the account from this instant. */
  disabledAt?: Date;
  /** Apply only while the account's security stamp is still this one (the caller checked a credential against it). */
  expectedStamp?: string;
  /** The caller's own session, which stays ACTIVE (the device that changed the password); none by default. */
  keepSessionId?: string | null;
  /** The status the other sessions end with; REVOKED by default. */
  endStatus?: Exclude<SessionStatus, "ACTIVE">;
  /** Turns TOTP on or off with the rest; nothing changes (TOTP_CHANGED) when its condition does not hold. */
  totp?: TotpChange;
  /** Redeems a mailed token with the rest (a password reset); nothing changes (TOKEN_SPENT) when it is no longer redeemable. */
  redeem?: SecurityTokenRedemption;
}

/**
 * The one way to change an account's credentials or standing: rotates its security stamp, applies the change and
 * ends its sessions in one store call, under the lock logins take. No session survives it, not even one of a
 * login that checked the old password while this ran: that login either committed first (and its session is
 * ended here) or finds the stamp changed and stores nothing. Password reset (in the same transaction as the
 * redemption of its token) and TOTP on/off (in the same transaction as the TOTP write) call it too.
 */
export function changeAccountSecurity(deps: Pick<AuthDeps, "store" | "now">, userId: string, change: AccountSecurityChange): Promise<SecurityChangeResult> {
  return deps.store.applySecurityChange(
    userId,
    {
      expectedStamp: change.expectedStamp ?? null,
      ...(change.passwordHash !== undefined ? { passwordHash: change.passwordHash } : {}),
      ...(change.disabledAt !== undefined ? { disabledAt: change.disabledAt } : {}),
      ...(change.totp !== undefined ? { totp: change.totp } : {}),
      ...(change.redeem !== undefined ? { redeem: change.redeem } : {}),
      endSessions: { status: change.endStatus ?? "REVOKED", exceptSessionId: change.keepSessionId ?? null },
    },
    deps.now(),
  );
}
