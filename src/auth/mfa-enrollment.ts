import { changeAccountSecurity } from "./account-security.js";
import { auditedActor, requireAdmin, type Actor } from "./actor.js";
import type { AuthDeps } from "./deps.js";
import { AuthError, badInput, sessionEnded } from "./errors.js";
import { matchTotpCode, spendSecondFactor, wrongCode } from "./mfa-codes.js";
import type { SecurityChangeResult } from "./ports/store.js";
import type { ClientInfo, Principal } from "./principal.js";
import { hashRecoveryCode, newRecoveryCodes } from "./recovery-codes.js";
import { newTotpSecret, sealTotpSecret, totpUrl } from "./totp.js";

/** What an authenticator app needs: the secret (base32) and its `otpauth://` URL. */
export interface TotpEnrollment {
  secret: string;
  otpauthUrl: string;
}

/** Whether the user has TOTP on (a pending enrollment does not count). */
export async function isMfaEnabled(deps: AuthDeps, userId: string): Promise<boolean> {
  return (await deps.store.mfa.findTotp(userId))?.enabledAt != null;
}

/** Starts (or restarts) an enrollment: a new secret, stored sealed and pending until a code confirms it. */
export async function startTotpEnrollment(deps: AuthDeps, principal: Principal, client: ClientInfo): Promise<TotpEnrollment> {
  const { user } = principal;
  const secret = newTotpSecret();
  const saved = await deps.store.mfa.savePendingTotp(user.id, sealTotpSecret(deps.mfa.encryptionKey, user.id, secret), deps.now());
  if (!saved) throw alreadyOn();
  await deps.audit.record({ type: "TOTP_ENROLLMENT_STARTED", userId: user.id, sessionId: principal.session.id, client }, deps.now());
  return { secret, otpauthUrl: totpUrl(secret, deps.mfa.issuer, user.email) };
}

/**
 * Turns TOTP on with a current code of the pending secret; returns the recovery codes, in plain text this once.
 * Every other session of the user ends (REVOKED) and the stamp rotates in the same transaction as the enable, so a
 * login that checked the password before TOTP was on cannot store a session afterwards, and a failure leaves
 * either all of it done or none of it (a retry then finds the enrollment still pending).
 */
export async function confirmTotpEnrollment(deps: AuthDeps, principal: Principal, code: string, client: ClientInfo): Promise<string[]> {
  const { user, session } = principal;
  await deps.rateLimits.attempt(client);
  await deps.mfa.rateLimits.beforeCode(user.id);
  const pending = await deps.store.mfa.findTotp(user.id);
  if (!pending) throw badInput("INVALID_INPUT", "code", "No TOTP enrollment is pending; call startTotpEnrollment first");
  if (pending.enabledAt) throw alreadyOn();
  const step = matchTotpCode(deps, pending, code);
  if (step === null) throw await wrongCode(deps, user.id, "confirm", client, session.id);
  const codes = newRecoveryCodes();
  const enable = { secretSealed: pending.secretSealed, step, recoveryCodeHashes: codes.map(hashRecoveryCode) };
  const changed = await changeAccountSecurity(deps, user.id, { keepSessionId: session.id, totp: { enable } });
  if (!changed.ok && changed.reason === "TOTP_CHANGED") {
    throw badInput("INVALID_INPUT", "code", "This enrollment was replaced by a newer one; use the newest secret");
  }
  const ended = sessionsEnded(changed);
  await deps.audit.record({ type: "TOTP_ENABLED", userId: user.id, sessionId: session.id, client, detail: { otherSessionsRevoked: ended } }, deps.now());
  return codes;
}

/** Turns TOTP off with a current TOTP or an unused recovery code; every other session of the user ends. */
export async function disableTotp(deps: AuthDeps, principal: Principal, code: string, client: ClientInfo): Promise<void> {
  const { user, session } = principal;
  await deps.rateLimits.attempt(client);
  await deps.mfa.rateLimits.beforeCode(user.id);
  const totp = await deps.store.mfa.findTotp(user.id);
  if (!totp?.enabledAt) throw badInput("INVALID_INPUT", "code", "TOTP is not on for this account");
  const proved = await spendSecondFactor(deps, totp, code, client);
  if (!proved) throw await wrongCode(deps, user.id, "disable", client, session.id);
  await deps.audit.record(
    { type: "MFA_CODE", userId: user.id, sessionId: session.id, client, detail: { purpose: "disable", method: proved.method } },
    deps.now(),
  );
  const changed = await changeAccountSecurity(deps, user.id, { keepSessionId: session.id, totp: { remove: true } });
  // a racing disable (or admin reset) removed it first and ended the sessions itself
  if (!changed.ok && changed.reason === "TOTP_CHANGED") throw badInput("INVALID_INPUT", "code", "TOTP is not on for this account");
  const ended = sessionsEnded(changed);
  await deps.audit.record({ type: "TOTP_DISABLED", userId: user.id, sessionId: session.id, client, detail: { otherSessionsRevoked: ended } }, deps.now());
}

/**
 * An administrator's (or the operator's) reset of a user's second factor, for a user who lost their device and
 * recovery codes: TOTP goes off and every session of the user ends. Audited with who did it; false when the user
 * had no TOTP (nothing changes then).
 */
export async function resetMfa(deps: AuthDeps, actor: Actor, userId: string, client: ClientInfo): Promise<boolean> {
  requireAdmin(actor);
  const changed = await changeAccountSecurity(deps, userId, { totp: { remove: true } });
  if (!changed.ok) return false;
  const by = auditedActor(actor, userId);
  const detail = { ...by.detail, sessionsRevoked: changed.sessionsEnded };
  await deps.audit.record({ type: "MFA_RESET", userId, actorId: by.actorId, client, detail }, deps.now());
  return true;
}

/** How many other sessions a TOTP change of the caller's own account ended; only a deleted account fails otherwise. */
function sessionsEnded(changed: SecurityChangeResult): number {
  if (!changed.ok) throw sessionEnded(null, "account gone during a TOTP change");
  return changed.sessionsEnded;
}

function alreadyOn(): AuthError {
  return new AuthError("INVALID_INPUT", "TOTP is already on; disable it first to enroll a new device");
}
