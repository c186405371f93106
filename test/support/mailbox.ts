import { simpleParser, type ParsedMail } from "mailparser";
import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";

/** A real SMTP server in the test process, keeping every mail it receives (parsed). */
export interface Mailbox {
  /** smtp://127.0.0.1:PORT, for SMTP_URL. */
  url: string;
  port: number;
  mails: ParsedMail[];
  /** The mails received for `to` so far. */
  to(to: string): ParsedMail[];
  /** Resolves with the `n`-th mail (1-based) for `to` once it has arrived; rejects after `timeoutMs`. */
  waitFor(to: string, n?: number, timeoutMs?: number): Promise<ParsedMail>;
  close(): Promise<void>;
}

/** Starts an SMTP server on `port` (0: any free one) on loopback. */
export async function startMailbox(port = 0): Promise<Mailbox> {
  const mails: ParsedMail[] = [];
  const waiters = new Set<() => void>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    onData(stream, _session, callback) {
      simpleParser(stream).then(
        (mail) => {
          mails.push(mail);
          for (const wake of waiters) wake();
          callback();
        },
        (error: Error) => callback(error),
      );
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  const actualPort = (server.server.address() as AddressInfo).port;
  const to = (address: string) => mails.filter((mail) => recipients(mail).includes(address.toLowerCase()));
  return {
    url: `smtp://127.0.0.1:${actualPort}`,
    port: actualPort,
    mails,
    to,
    waitFor(address, n = 1, timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = to(address)[n - 1];
          if (!found) return;
          cleanup();
          resolve(found);
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`no mail #${n} for ${address} within ${timeoutMs} ms (got ${to(address).length})`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function recipients(mail: ParsedMail): string[] {
  const lists = Array.isArray(mail.to) ? mail.to : mail.to ? [mail.to] : [];
  return lists.flatMap((list) => list.value.map((entry) => (entry.address ?? "").toLowerCase()));
}

/** The token of the link in a mail, taken from its plain-text body as a user would click it. */
export function tokenFrom(mail: ParsedMail): string {
  const match = /[?&]token=([^\s&]+)/.exec(mail.text ?? "");
  if (!match?.[1]) throw new Error(`no link with a token in mail "${mail.subject}"`);
  return decodeURIComponent(match[1]);
}
