import type { TotpRecord } from "./ports/mfa-store.js";
import type { AuthDeps } from "./deps.js";
import { badInput, type AuthError } from "./errors.js";
import type { ClientInfo } from "./principal.js";
import { hashRecoveryCode, isRecoveryCodeShape } from "./recovery-codes.js";
import { findTotpStep, openTotpSecret } from "./totp.js";

/** Which second factor a code proved. */
export type SecondFactor = { method: "totp" } | { method: "recovery"; codesLeft: number };

/** What a code was for, in audit events. */
export type CodePurpose = "login" | "confirm" | "disable";

/** The time step of a current code of a credential (±1 step), or null; nothing is spent. */
export function matchTotpCode(deps: AuthDeps, totp: TotpRecord, code: string): number | null {
  const secret = openTotpSecret(deps.mfa.encryptionKey, totp.userId, totp.secretSealed);
  return findTotpStep(secret, code.replace(/\s/g, ""), deps.now());
}

/**
 * Checks a TOTP or recovery code against an enabled credential and spends it: a TOTP step is accepted once (a
 * replay in its window is refused), a recovery code once. Null when the code is not valid now.
 */
export async function spendSecondFactor(deps: AuthDeps, totp: TotpRecord, code: string, client: ClientInfo): Promise<SecondFactor | null> {
  const { userId } = totp;
  if (isRecoveryCodeShape(code)) {
    const codesLeft = await deps.store.mfa.useRecoveryCode(userId, hashRecoveryCode(code), deps.now());
    if (codesLeft === null) return null;
    await deps.audit.record({ type: "RECOVERY_CODE_USED", userId, client, detail: { codesLeft } }, deps.now());
    return { method: "recovery", codesLeft };
  }
  const step = matchTotpCode(deps, totp, code);
  return step !== null && (await deps.store.mfa.useTotpStep(userId, step)) ? { method: "totp" } : null;
}

/** Counts a wrong code against the account, records it, and returns the INVALID_CODE error to throw. */
export async function wrongCode(deps: AuthDeps, userId: string, purpose: CodePurpose, client: ClientInfo, sessionId: string | null = null): Promise<AuthError> {
  await deps.mfa.rateLimits.codeFailed(userId);
  await deps.audit.record({ type: "MFA_CODE", outcome: "FAILURE", userId, sessionId, client, detail: { purpose } }, deps.now());
  return badInput("INVALID_CODE", "code", "Invalid or already used code");
}
