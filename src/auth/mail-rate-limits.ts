import type { ClientInfo } from "./principal.js";
import { addressKey, hashKey, refuseIfOver, type RateLimiterFactory } from "./rate-limits.js";

/** Limits on the mutations that send mail, so nobody can use the API to flood a mailbox. */
export interface MailRateLimits {
  /**
   * Counts one mail request against the recipient address, the account (the address itself when it names
   * none: known and unknown addresses are counted alike) and the client address; TOO_MANY_REQUESTS when over.
   */
  beforeMail(target: { email: string; userId: string | null }, client: ClientInfo): Promise<void>;
}

/** No limits (RATE_LIMIT_ENABLED=false, the operator's command-line tool). */
export const NO_MAIL_RATE_LIMITS: MailRateLimits = { beforeMail: async () => {} };

const HOUR = 3600;
/** A client address may ask for mail for this many times more addresses than one address may receive. */
const CLIENT_FACTOR = 6;

/** The mail limits of one deployment over the shared limiter store: `mailsPerHour` per address and per account. */
export function createMailRateLimits(factory: RateLimiterFactory, settings: { enabled: boolean; mailsPerHour: number }): MailRateLimits {
  if (!settings.enabled) return NO_MAIL_RATE_LIMITS;
  const recipients = factory.create({ name: "mail-recipients", points: settings.mailsPerHour, durationSeconds: HOUR, blockSeconds: 0 });
  const accounts = factory.create({ name: "mail-accounts", points: settings.mailsPerHour, durationSeconds: HOUR, blockSeconds: 0 });
  const clients = factory.create({ name: "mail-clients", points: settings.mailsPerHour * CLIENT_FACTOR, durationSeconds: HOUR, blockSeconds: 0 });
  return {
    async beforeMail(target, client) {
      const account = target.userId !== null ? `user:${target.userId}` : `address:${target.email}`;
      const verdicts = await Promise.all([
        recipients.consume(hashKey(target.email)),
        accounts.consume(hashKey(account)),
        clients.consume(addressKey(client.ipAddress)),
      ]);
      verdicts.forEach(refuseIfOver);
    },
  };
}
