import { DuplicateError } from "./ports/store.js";
import { normalizeEmail } from "./account-input.js";
import { outboxMail } from "./account-mail.js";
import { rejectOversizedPassword } from "./accounts.js";
import type { AuthDeps } from "./deps.js";
import { badInput } from "./errors.js";
import { findLiveMailToken, invalidMailToken, issueMailToken } from "./mail-tokens.js";
import type { ClientInfo, Principal } from "./principal.js";

/** Mails the caller a link that verifies their address; nothing to do when it is verified already. */
export async function sendVerificationEmail(deps: AuthDeps, principal: Principal, client: ClientInfo): Promise<void> {
  const { user } = principal;
  await deps.rateLimits.attempt(client);
  if (user.emailVerifiedAt) return;
  await deps.mail.rateLimits.beforeMail({ email: user.email, userId: user.id }, client);
  const queued = await issueMailToken(deps, user, "EMAIL_VERIFICATION", user.email, (token) => ({ kind: "EMAIL_VERIFICATION", to: user.email, token }));
  await recordLinkRequested(deps, "EMAIL_VERIFICATION_REQUESTED", principal, client, queued);
}

/**
 * Asks to change the caller's address: after proving the current password, mails a link to the new address.
 * The address changes only when that link is used (see verifyEmail).
 */
export async function requestEmailChange(
  deps: AuthDeps,
  principal: Principal,
  input: { newEmail: string; currentPassword: string },
  client: ClientInfo,
): Promise<void> {
  const { user } = principal;
  await deps.rateLimits.attempt(client);
  rejectOversizedPassword(deps, input.currentPassword, "currentPassword");
  const newEmail = normalizeEmailField(input.newEmail);
  // the same allowance of password proofs as changePassword: a stolen access token is no password oracle
  await deps.rateLimits.beforePasswordChange(user.id);
  if (!(await deps.hasher.verify(user.passwordHash, input.currentPassword))) {
    await deps.audit.record(
      {
        type: "EMAIL_CHANGE_REQUESTED",
        outcome: "FAILURE",
        userId: user.id,
        sessionId: principal.session.id,
        client,
        detail: { reason: "wrong current password" },
      },
      deps.now(),
    );
    throw badInput("WRONG_PASSWORD", "currentPassword", "Current password is incorrect");
  }
  await deps.rateLimits.passwordChangeSucceeded(user.id);
  if (newEmail === user.email) throw badInput("INVALID_INPUT", "newEmail", "This is already your email address");
  const holder = await deps.store.findUserByLogin(newEmail);
  if (holder?.email === newEmail) throw badInput("EMAIL_TAKEN", "newEmail", "Email address is already registered");
  await deps.mail.rateLimits.beforeMail({ email: newEmail, userId: user.id }, client);
  const queued = await issueMailToken(deps, user, "EMAIL_CHANGE", newEmail, (token) => ({ kind: "EMAIL_CHANGE", to: newEmail, token }));
  await recordLinkRequested(deps, "EMAIL_CHANGE_REQUESTED", principal, client, queued);
}

/** Audits the caller's request for a mailed link: FAILURE with the reason "mail off" when no mail could be queued. */
function recordLinkRequested(
  deps: AuthDeps,
  type: "EMAIL_VERIFICATION_REQUESTED" | "EMAIL_CHANGE_REQUESTED",
  principal: Principal,
  client: ClientInfo,
  queued: boolean,
): Promise<void> {
  return deps.audit.record(
    {
      type,
      outcome: queued ? "SUCCESS" : "FAILURE",
      userId: principal.user.id,
      sessionId: principal.session.id,
      client,
      detail: queued ? {} : { reason: "mail off" },
    },
    deps.now(),
  );
}

/**
 * Uses a verification or email-change token (the token alone names the account): marks the address verified,
 * or moves the account to the new address (EMAIL_TAKEN if another account took it meanwhile) and notifies the old one.
 */
export async function verifyEmail(deps: AuthDeps, tokenText: string, client: ClientInfo): Promise<void> {
  await deps.rateLimits.attempt(client);
  const token = await findLiveMailToken(deps, tokenText, ["EMAIL_VERIFICATION", "EMAIL_CHANGE"], "EMAIL_VERIFIED", client);
  const user = await deps.store.findUserById(token.userId);
  if (!user || user.disabledAt) return invalidMailToken();
  const now = deps.now();
  const change = token.purpose === "EMAIL_CHANGE";
  const notice = change ? outboxMail(deps.mail, user.id, { kind: "EMAIL_CHANGED", to: user.email, newEmail: token.email }, now) : null;
  const auditType = change ? "EMAIL_CHANGED" : "EMAIL_VERIFIED";
  let result;
  try {
    result = await deps.store.redeemMailToken({
      tokenHash: token.tokenHash,
      userId: user.id,
      purpose: token.purpose,
      now,
      ...(change ? { newEmail: token.email } : {}),
      verifiedEmail: token.email,
      mails: notice ? [notice] : [],
    });
  } catch (error) {
    if (!(error instanceof DuplicateError)) throw error;
    await deps.audit.record({ type: auditType, outcome: "FAILURE", userId: user.id, client, detail: { reason: "email taken" } }, now);
    throw badInput("EMAIL_TAKEN", "token", "This email address has been registered by another account meanwhile");
  }
  if (!result.ok) {
    await deps.audit.record({ type: auditType, outcome: "FAILURE", userId: user.id, client, detail: { reason: "used meanwhile" } }, now);
    return invalidMailToken();
  }
  if (notice) deps.mail.queued();
  await deps.audit.record({ type: auditType, userId: user.id, client, detail: change ? { previousEmail: user.email } : {} }, now);
}

function normalizeEmailField(email: string): string {
  try {
    return normalizeEmail(email);
  } catch {
    throw badInput("INVALID_EMAIL", "newEmail", "Email address is not valid");
  }
}
