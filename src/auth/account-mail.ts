import type { NewOutboxMail } from "./ports/store.js";
import type { MailRateLimits } from "./mail-rate-limits.js";

/** A mail the auth core sends, before it is put into words: what it is, to whom, and its token if any. */
export type AccountMail =
  | { kind: "PASSWORD_RESET"; to: string; token: string }
  | { kind: "PASSWORD_CHANGED"; to: string }
  | { kind: "EMAIL_VERIFICATION"; to: string; token: string }
  /** To the new address: the link that completes an email change. */
  | { kind: "EMAIL_CHANGE"; to: string; token: string }
  /** To the old address, once the change is done. */
  | { kind: "EMAIL_CHANGED"; to: string; newEmail: string };

/** Subject and bodies of one mail. */
export interface ComposedMail {
  subject: string;
  text: string;
  html: string;
}

/** Puts an AccountMail into words (templates, links); implemented outside the core (src/mail). */
export interface MailComposer {
  compose(mail: AccountMail): ComposedMail;
}

/** The auth core's side of mail: it writes mails into the outbox (with the store), a worker delivers them. */
export interface MailDeps {
  /** Null when mail is off (MAIL_ENABLED=false): nothing is queued, the mutations still answer as usual. */
  composer: MailComposer | null;
  rateLimits: MailRateLimits;
  /** Tells the delivery worker that mail was queued (it also polls). */
  queued(): void;
}

/** Mail turned off: nothing is composed or queued. */
export const NO_MAIL: Omit<MailDeps, "rateLimits"> = { composer: null, queued: () => {} };

/** The outbox row of a mail, or null when mail is off. */
export function outboxMail(mail: MailDeps, userId: string | null, message: AccountMail, now: Date): NewOutboxMail | null {
  if (!mail.composer) return null;
  const { subject, text, html } = mail.composer.compose(message);
  return { userId, kind: message.kind, to: message.to, subject, text, html, createdAt: now };
}
