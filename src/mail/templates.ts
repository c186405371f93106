import type { AccountMail } from "../auth/account-mail.js";

/** What a template can put in a mail; `link` for the mails that carry one. */
export interface MailTemplateValues {
  /** The recipient's address. */
  to: string;
  link?: string;
  /** The new address, in the notice of an email change. */
  newEmail?: string;
}

/** One kind of mail: a subject and plain-text and HTML bodies. HTML values arrive already escaped. */
export interface MailTemplate {
  subject: string;
  text(values: MailTemplateValues): string;
  html(values: MailTemplateValues): string;
}

/** A template for every kind of mail; an integrator replaces any of them (createApp's `mailTemplates`). */
export type MailTemplates = Record<AccountMail["kind"], MailTemplate>;

const page = (body: string): string => `<!doctype html><html><body style="font-family:sans-serif;line-height:1.5;max-width:36em">${body}</body></html>`;
const button = (link: string, label: string): string =>
  `<p><a href="${link}" style="display:inline-block;padding:.6em 1.2em;background:#1a56db;color:#fff;text-decoration:none;border-radius:4px">${label}</a></p>` +
  `<p style="font-size:.9em;color:#555">Or paste this link into your browser:<br>${link}</p>`;
const ignore = "If you did not ask for this, you can ignore this mail.";

/** The built-in English templates. */
export const DEFAULT_MAIL_TEMPLATES: MailTemplates = {
  PASSWORD_RESET: {
    subject: "Reset your password",
    text: ({ link }) =>
      `Someone (hopefully you) asked to reset the password of this account.\n\nSet a new password here (the link works once, for 1 hour):\n${link}\n\n${ignore}\n`,
    html: ({ link }) =>
      page(
        `<p>Someone (hopefully you) asked to reset the password of this account.</p>${button(link!, "Set a new password")}<p>The link works once, for 1 hour. ${ignore}</p>`,
      ),
  },
  PASSWORD_CHANGED: {
    subject: "Your password was changed",
    text: ({ to }) =>
      `The password of your account (${to}) was just changed, and every session was signed out.\n\nIf this was not you, reset your password at once and contact support.\n`,
    html: ({ to }) =>
      page(
        `<p>The password of your account (${to}) was just changed, and every session was signed out.</p><p>If this was not you, reset your password at once and contact support.</p>`,
      ),
  },
  EMAIL_VERIFICATION: {
    subject: "Verify your email address",
    text: ({ link }) => `Confirm that this is your email address (the link works once, for 24 hours):\n${link}\n\n${ignore}\n`,
    html: ({ link }) =>
      page(`<p>Confirm that this is your email address.</p>${button(link!, "Verify my address")}<p>The link works once, for 24 hours. ${ignore}</p>`),
  },
  EMAIL_CHANGE: {
    subject: "Confirm your new email address",
    text: ({ link }) =>
      `Someone (hopefully you) asked to use this address for their account.\n\nConfirm the change here (the link works once, for 24 hours):\n${link}\n\n${ignore}\n`,
    html: ({ link }) =>
      page(
        `<p>Someone (hopefully you) asked to use this address for their account.</p>${button(link!, "Confirm the change")}<p>The link works once, for 24 hours. ${ignore}</p>`,
      ),
  },
  EMAIL_CHANGED: {
    subject: "Your email address was changed",
    text: ({ newEmail }) =>
      `The email address of your account was changed to ${newEmail}. Mail about the account now goes there.\n\nIf this was not you, contact support at once.\n`,
    html: ({ newEmail }) =>
      page(
        `<p>The email address of your account was changed to ${newEmail}. Mail about the account now goes there.</p><p>If this was not you, contact support at once.</p>`,
      ),
  },
};
