import type { UserRecord } from "./ports/store.js";
import { isSystemActor, requireAdmin, type Actor } from "./actor.js";
import { normalizeEmail } from "./account-input.js";
import { outboxMail, type ComposedMail } from "./account-mail.js";
import { changeAccountSecurity } from "./account-security.js";
import type { AuthDeps } from "./deps.js";
import { badInput } from "./errors.js";
import { findLiveMailToken, invalidMailToken, issueMailToken, MAIL_TOKEN_TTL_SECONDS, newMailToken } from "./mail-tokens.js";
import { checkPasswordPolicy } from "./passwords.js";
import type { ClientInfo } from "./principal.js";
import { addSeconds } from "./sessions.js";

/** The outbox kind of a reset request: queued without a body, composed at delivery by preparePasswordResetMail. */
export const PASSWORD_RESET_REQUEST = "PASSWORD_RESET_REQUEST";

/**
 * Forgot password, step 1: queues a reset request for the address. Known and unknown addresses are answered
 * alike, in result and in time: the request does exactly the same work for both (limits, one outbox row), and
 * never even looks the account up; the delivery worker does that later (preparePasswordResetMail).
 */
export async function requestPasswordReset(deps: AuthDeps, email: string, client: ClientInfo): Promise<void> {
  await deps.rateLimits.attempt(client);
  const address = normalizeEmail(email);
  await deps.mail.rateLimits.beforeMail({ email: address, userId: null }, client);
  const now = deps.now();
  if (deps.mail.composer) {
    // no wake-up of the worker: its next poll picks the request up, so when delivery work happens says nothing
    // about this request (its cost differs for known and unknown addresses)
    await deps.store.enqueueMails([{ userId: null, kind: PASSWORD_RESET_REQUEST, to: address, subject: "", text: null, html: null, createdAt: now }]);
  }
  await deps.audit.record({ type: "PASSWORD_RESET_REQUESTED", userId: null, client, detail: deps.mail.composer ? {} : { reason: "mail off" } }, now);
}

/**
 * Forgot password, delivery of step 1 (run by the outbox worker, outside any request): issues a reset token for
 * the address's account, replacing an older one, and composes its mail; null when the address has no enabled
 * account. Called again when a delivery failed, each time with a new token (the undelivered one is replaced).
 */
export async function preparePasswordResetMail(deps: AuthDeps, address: string): Promise<(ComposedMail & { userId: string }) | null> {
  const found = await deps.store.findUserByLogin(address);
  const user = found?.email === address && !found.disabledAt ? found : null;
  const now = deps.now();
  if (!user || !deps.mail.composer) {
    const reason = !deps.mail.composer ? "mail off" : found?.disabledAt ? "account disabled" : "no such account";
    await deps.audit.record({ type: "PASSWORD_RESET_LINK_ISSUED", outcome: "FAILURE", userId: user?.id ?? null, detail: { reason } }, now);
    return null;
  }
  const { token, tokenHash } = newMailToken();
  const expiresAt = addSeconds(now, MAIL_TOKEN_TTL_SECONDS.PASSWORD_RESET);
  await deps.store.issueMailToken({ tokenHash, userId: user.id, purpose: "PASSWORD_RESET", email: user.email, createdAt: now, expiresAt }, null);
  await deps.audit.record({ type: "PASSWORD_RESET_LINK_ISSUED", userId: user.id, detail: {} }, now);
  return { userId: user.id, ...deps.mail.composer.compose({ kind: "PASSWORD_RESET", to: user.email, token }) };
}

/** Queues a reset link to the user's address; false when mail is off. */
function mailResetLink(deps: AuthDeps, user: UserRecord): Promise<boolean> {
  return issueMailToken(deps, user, "PASSWORD_RESET", user.email, (token) => ({ kind: "PASSWORD_RESET", to: user.email, token }));
}

/** An administrator (or the command-line tool) sends a user a reset link; false when mail is off. */
export async function sendPasswordResetLink(deps: AuthDeps, actor: Actor, userId: string, client: ClientInfo): Promise<boolean> {
  requireAdmin(actor);
  const user = await deps.store.findUserById(userId);
  if (!user) throw badInput("INVALID_INPUT", "id", "No user with this id");
  const queued = await mailResetLink(deps, user);
  const detail = isSystemActor(actor) ? { actor: actor.system } : {};
  await deps.audit.record(
    { type: "PASSWORD_RESET_REQUESTED", outcome: queued ? "SUCCESS" : "FAILURE", userId, actorId: isSystemActor(actor) ? null : actor.user.id, client, detail },
    deps.now(),
  );
  return queued;
}

/**
 * Forgot password, step 2: sets the new password with a reset token. Through the one path for credential changes
 * (changeAccountSecurity), in one transaction: the token is used up (once: of racing uses exactly one gets past
 * this), the email marked verified (the link reached its owner), the password set, the security stamp rotated,
 * every session of the user REVOKED and a "your password was changed" notice queued. A failure leaves the link
 * usable again. It does not log in. Returns how many sessions ended.
 */
export async function resetPassword(deps: AuthDeps, input: { token: string; newPassword: string }, client: ClientInfo): Promise<number> {
  await deps.rateLimits.attempt(client);
  const token = await findLiveMailToken(deps, input.token, ["PASSWORD_RESET"], "PASSWORD_RESET", client);
  const user = await deps.store.findUserById(token.userId);
  if (!user || user.disabledAt) return invalidMailToken();
  // checked before the token is used up, so a refused password can be corrected with the same link
  checkPasswordPolicy(input.newPassword, deps.passwordPolicy, { email: user.email, username: user.username }, "newPassword");
  const passwordHash = await deps.hasher.hash(input.newPassword);
  const now = deps.now();
  const notice = outboxMail(deps.mail, user.id, { kind: "PASSWORD_CHANGED", to: user.email }, now);
  // no expected stamp: the token, not a password checked against the stamp, is the proof here
  const changed = await changeAccountSecurity(deps, user.id, {
    passwordHash,
    endStatus: "REVOKED",
    redeem: { tokenHash: token.tokenHash, purpose: "PASSWORD_RESET", verifiedEmail: token.email, mails: notice ? [notice] : [] },
  });
  if (!changed.ok) {
    // TOKEN_SPENT, or NOT_FOUND: the account was deleted meanwhile, and its token with it
    await deps.audit.record({ type: "PASSWORD_RESET", outcome: "FAILURE", userId: user.id, client, detail: { reason: "used meanwhile" } }, now);
    return invalidMailToken();
  }
  if (notice) deps.mail.queued();
  await deps.audit.record({ type: "PASSWORD_RESET", userId: user.id, client, detail: { sessionsRevoked: changed.sessionsEnded } }, now);
  return changed.sessionsEnded;
}
