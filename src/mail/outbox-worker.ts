import type { AuditLog } from "../auth/audit-log.js";
import type { Logger } from "../logger.js";
import type { OutboxMailRecord, Store } from "../auth/ports/store.js";
import type { MailTransport } from "./transport.js";

/** How the worker polls and retries. */
export interface OutboxWorkerSettings {
  pollIntervalMs: number;
  /** First retry delay; it doubles with each failed attempt, up to MAX_RETRY_DELAY_MS. */
  retryDelayMs: number;
  maxAttempts: number;
}

/**
 * Composes, at delivery, a mail queued without a body (by its kind); null when there turns out to be nothing
 * to send. `userId` names the account for the audit log.
 */
export type DeferredMailComposer = (to: string) => Promise<{ userId: string | null; subject: string; text: string; html: string } | null>;

/** The background delivery of queued mail. */
export interface OutboxWorker {
  /** Asks for a delivery run soon (after mail was queued). */
  kick(): void;
  /** Delivers what is due now; resolves with how many mails were sent. */
  runOnce(): Promise<number>;
  /** Stops polling and waits for the run in progress. */
  stop(): Promise<void>;
}

const BATCH = 20;
/** A claimed mail is not taken by another worker for this long (covers a slow SMTP conversation). */
const LEASE_MS = 2 * 60_000;
const MAX_RETRY_DELAY_MS = 3600_000;
/** Delivered (or given up) mails are kept this long for operators, without their bodies. */
const KEEP_DONE_MS = 7 * 86_400_000;
const HOUSEKEEPING_EVERY_MS = 3600_000;
/** A kick waits this long, so a request that queued mail has answered before delivery work starts. */
const KICK_DELAY_MS = 25;

/** The delay before attempt `attempts + 1` after `attempts` failures: exponential with jitter, capped. */
export function retryDelay(settings: Pick<OutboxWorkerSettings, "retryDelayMs">, attempts: number, random = Math.random): number {
  const ceiling = Math.min(MAX_RETRY_DELAY_MS, settings.retryDelayMs * 2 ** Math.max(attempts - 1, 0));
  return Math.round(ceiling * (0.75 + 0.25 * random()));
}

/**
 * Delivers the outbox: claims due mails (a lease, so several API instances share the work), sends each, and
 * records the outcome; a failed mail is retried with exponential backoff and given up after `maxAttempts`.
 * The bodies go once a mail is delivered or given up. Logs and audit events name the kind of mail, never its body.
 */
export function startOutboxWorker(options: {
  store: Store;
  transport: MailTransport;
  audit: AuditLog;
  log: Logger;
  now: () => Date;
  settings: OutboxWorkerSettings;
  /** Composers of the kinds queued without a body. */
  deferred?: Record<string, DeferredMailComposer>;
}): OutboxWorker {
  const { store, transport, audit, log, now, settings } = options;
  const deferred = options.deferred ?? {};
  let running: Promise<number> | null = null;
  let again = false;
  let stopped = false;
  let kickTimer: NodeJS.Timeout | null = null;
  let lastHousekeeping = 0;

  const deliver = async (queued: OutboxMailRecord): Promise<boolean> => {
    let mail = queued;
    try {
      const compose = deferred[queued.kind];
      if (compose) {
        const composed = await compose(queued.to);
        if (!composed) {
          await store.markOutboxMailSent(queued.id, now()); // done: nothing to send (the composer audited why)
          return false;
        }
        mail = { ...queued, ...composed };
      }
      await transport.send({ to: mail.to, subject: mail.subject, text: mail.text ?? "", html: mail.html ?? "" });
    } catch (error) {
      const attempts = mail.attempts + 1;
      const at = now();
      const retryAt = attempts < settings.maxAttempts ? new Date(at.getTime() + retryDelay(settings, attempts)) : null;
      const reason = describe(error);
      await store.markOutboxMailFailed(mail.id, { now: at, retryAt, error: reason });
      (retryAt ? log.warn : log.error)(`mail delivery failed${retryAt ? "; will retry" : "; given up"}`, {
        mailId: mail.id,
        kind: mail.kind,
        attempts,
        reason,
      });
      await audit.record(
        { type: "MAIL_DELIVERY_FAILED", outcome: "FAILURE", userId: mail.userId, detail: { kind: mail.kind, attempts, retry: retryAt !== null, reason } },
        at,
      );
      return false;
    }
    const at = now();
    await store.markOutboxMailSent(mail.id, at);
    log.debug("mail delivered", { mailId: mail.id, kind: mail.kind });
    await audit.record({ type: "MAIL_SENT", userId: mail.userId, detail: { kind: mail.kind, attempts: mail.attempts + 1 } }, at);
    return true;
  };

  const run = async (): Promise<number> => {
    let sent = 0;
    try {
      for (;;) {
        const at = now();
        const batch = await store.claimOutboxMails(at, new Date(at.getTime() + LEASE_MS), BATCH);
        for (const mail of batch) if (await deliver(mail)) sent++;
        if (batch.length < BATCH || stopped) break;
      }
      if (Date.now() - lastHousekeeping > HOUSEKEEPING_EVERY_MS) {
        lastHousekeeping = Date.now();
        const at = now();
        await store.pruneOutboxMails(new Date(at.getTime() - KEEP_DONE_MS));
        await store.deleteExpiredMailTokens(at);
      }
    } catch (error) {
      // the database is away: the mails stay queued, the next poll tries again
      log.warn("mail outbox: delivery run failed", { error: describe(error) });
    }
    return sent;
  };

  const runOnce = (): Promise<number> => {
    if (running) {
      again = true;
      return running;
    }
    running = run().finally(() => {
      running = null;
      if (again && !stopped) {
        again = false;
        void runOnce();
      }
    });
    return running;
  };

  const timer = setInterval(() => void runOnce(), settings.pollIntervalMs);
  timer.unref();
  void runOnce(); // mail left by an earlier run of the process

  return {
    kick() {
      if (stopped || kickTimer) return;
      kickTimer = setTimeout(() => {
        kickTimer = null;
        void runOnce();
      }, KICK_DELAY_MS);
      kickTimer.unref();
    },
    runOnce,
    async stop() {
      stopped = true;
      clearInterval(timer);
      if (kickTimer) clearTimeout(kickTimer);
      await running;
      transport.close();
    },
  };
}

/** A short, secret-free description of a delivery error (an SMTP reply or a socket error code). */
function describe(error: unknown): string {
  const e = error as { code?: unknown; responseCode?: unknown; message?: unknown };
  const parts = [e.code, e.responseCode].filter((part) => part !== undefined).map(String);
  const message = typeof e.message === "string" ? e.message.split("\n")[0]!.slice(0, 200) : String(error);
  return [...parts, message].join(" ");
}
