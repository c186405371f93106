import type { AccountMail, ComposedMail, MailComposer } from "../auth/account-mail.js";
import { DEFAULT_MAIL_TEMPLATES, type MailTemplates, type MailTemplateValues } from "./templates.js";

/** Where the links in mails point: the app's pages, each a URL template with `{token}`. */
export interface MailLinks {
  passwordResetUrl: string;
  emailVerificationUrl: string;
}

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
const escapeHtml = (value: string): string => value.replace(/[&<>"']/g, (c) => ESCAPES[c]!);

/** The link of a mail that carries a token: from configuration only, never from the request (Host header). */
export function mailLink(links: MailLinks, mail: AccountMail): string | undefined {
  if (!("token" in mail)) return undefined;
  const template = mail.kind === "PASSWORD_RESET" ? links.passwordResetUrl : links.emailVerificationUrl;
  return template.replaceAll("{token}", encodeURIComponent(mail.token));
}

/** Composes mails from templates (the built-in ones, or an integrator's replacements). */
export function createMailComposer(links: MailLinks, templates: Partial<MailTemplates> = {}): MailComposer {
  const all: MailTemplates = { ...DEFAULT_MAIL_TEMPLATES, ...templates };
  return {
    compose(mail): ComposedMail {
      const template = all[mail.kind];
      const values: MailTemplateValues = { to: mail.to, link: mailLink(links, mail), newEmail: "newEmail" in mail ? mail.newEmail : undefined };
      const escaped: MailTemplateValues = {
        to: escapeHtml(values.to),
        link: values.link === undefined ? undefined : escapeHtml(values.link),
        newEmail: values.newEmail === undefined ? undefined : escapeHtml(values.newEmail),
      };
      return { subject: template.subject, text: template.text(values), html: template.html(escaped) };
    },
  };
}
