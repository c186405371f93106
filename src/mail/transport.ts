import nodemailer from "nodemailer";
import type SMTPTransport from "nodemailer/lib/smtp-transport/index.js";
import type { Logger } from "../logger.js";

/** One mail as it goes out. */
export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html: string;
}

/** Delivers mail; `send` rejects when the mail was not accepted (the outbox then retries it). */
export interface MailTransport {
  /** How the operator sees this transport in the start-up log (never with a password). */
  readonly description: string;
  send(mail: OutgoingMail): Promise<void>;
  close(): void;
}

/** SMTP through nodemailer: `smtp://user:pass@host:587` (STARTTLS when offered) or `smtps://…:465`. */
export function createSmtpTransport(options: { url: string; from: string }): MailTransport {
  const transporter = nodemailer.createTransport({
    url: options.url,
    // short timeouts: a hung server must not hold the worker (the outbox retries later)
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  } satisfies SMTPTransport.Options);
  const url = new URL(options.url);
  return {
    description: `SMTP ${url.protocol}//${url.host}`,
    async send(mail) {
      await transporter.sendMail({ from: options.from, to: mail.to, subject: mail.subject, text: mail.text, html: mail.html });
    },
    close: () => transporter.close(),
  };
}

/**
 * Development without SMTP_URL: each mail is written to the log, link included, so `npm start` alone lets a
 * developer follow a reset or verification link. Never used in production (loadConfig requires SMTP_URL there).
 */
export function createLogTransport(log: Logger): MailTransport {
  return {
    description: "the log (development: set SMTP_URL to send real mail)",
    async send(mail) {
      log.info(`mail to ${mail.to}: ${mail.subject}\n${mail.text}`);
    },
    close() {},
  };
}
