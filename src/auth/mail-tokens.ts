import { createHash, randomBytes } from "node:crypto";
import type { MailTokenPurpose, MailTokenRecord, UserRecord } from "./ports/store.js";
import { outboxMail, type AccountMail } from "./account-mail.js";
import type { AuditEventType } from "./audit-log.js";
import type { AuthDeps } from "./deps.js";
import { badInput } from "./errors.js";
import type { ClientInfo } from "./principal.js";
import { addSeconds } from "./sessions.js";

/** How long a mailed token lives, per purpose (OWASP: a reset link short, a verification link a day). */
export const MAIL_TOKEN_TTL_SECONDS: Record<MailTokenPurpose, number> = {
  PASSWORD_RESET: 3600,
  EMAIL_VERIFICATION: 24 * 3600,
  EMAIL_CHANGE: 24 * 3600,
};

const TOKEN_BYTES = 32; // 256 random bits
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** A new random token (base64url, 256 bits) and the SHA-256 that is all the store keeps of it. */
export function newMailToken(): { token: string; tokenHash: string } {
  const token = randomBytes(TOKEN_BYTES).toString("base64url");
  return { token, tokenHash: hashMailToken(token) };
}

/** The stored form of a token. A plain hash suffices: the token is 256 random bits, not a password. */
export function hashMailToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/**
 * Issues a token for `purpose`, replacing the user's older one, and queues `mail(token)` in the same transaction.
 * Does nothing when mail is off (a token nobody can receive is useless).
 */
export async function issueMailToken(
  deps: AuthDeps,
  user: UserRecord,
  purpose: MailTokenPurpose,
  email: string,
  mail: (token: string) => AccountMail,
): Promise<boolean> {
  const now = deps.now();
  const { token, tokenHash } = newMailToken();
  const queued = outboxMail(deps.mail, user.id, mail(token), now);
  if (!queued) return false;
  const expiresAt = addSeconds(now, MAIL_TOKEN_TTL_SECONDS[purpose]);
  await deps.store.issueMailToken({ tokenHash, userId: user.id, purpose, email, createdAt: now, expiresAt }, queued);
  deps.mail.queued();
  return true;
}

/** The one answer to every bad token: unknown, used, replaced, expired, for another purpose or tampered with. */
export function invalidMailToken(): never {
  throw badInput("INVALID_TOKEN", "token", "This link is invalid or has expired; ask for a new one");
}

/**
 * The stored token a client presented, if it is live and for one of `purposes`; else INVALID_TOKEN, after an
 * audit event (of type `auditType`) that says why, without the token.
 */
export async function findLiveMailToken(
  deps: AuthDeps,
  token: string,
  purposes: readonly MailTokenPurpose[],
  auditType: AuditEventType,
  client: ClientInfo,
): Promise<MailTokenRecord> {
  const now = deps.now();
  const found = TOKEN_PATTERN.test(token) ? await deps.store.findMailToken(hashMailToken(token)) : null;
  const reason = !found ? "unknown token" : !purposes.includes(found.purpose) ? "wrong purpose" : found.expiresAt <= now ? "expired" : null;
  if (reason === null) return found!;
  // a token mailed to someone else's account tells nothing about the caller: recorded under its own account
  await deps.audit.record({ type: auditType, outcome: "FAILURE", userId: found?.userId ?? null, client, detail: { reason } }, now);
  return invalidMailToken();
}
