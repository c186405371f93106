import type { AuditLog } from "../auth/audit-log.js";
import type { MailConfig } from "../config.js";
import type { Logger } from "../logger.js";
import type { Store } from "../auth/ports/store.js";
import { startOutboxWorker, type DeferredMailComposer, type OutboxWorker } from "./outbox-worker.js";
import { createLogTransport, createSmtpTransport } from "./transport.js";

/**
 * Starts delivering the outbox over SMTP_URL, or, in development without it, into the log; null when mail is off.
 * (loadConfig already refuses production without SMTP_URL unless MAIL_ENABLED=false.)
 */
export function startMailDelivery(options: {
  config: MailConfig;
  store: Store;
  audit: AuditLog;
  log: Logger;
  now: () => Date;
  deferred?: Record<string, DeferredMailComposer>;
}): OutboxWorker | null {
  const { config, log } = options;
  if (!config.enabled) {
    log.warn("MAIL_ENABLED=false: no password reset, verification or email-change mail is sent");
    return null;
  }
  const transport = config.smtpUrl ? createSmtpTransport({ url: config.smtpUrl, from: config.from }) : createLogTransport(log);
  if (!config.smtpUrl) log.warn("SMTP_URL is not set: mails (with their links) are written to this log instead of sent (development only)");
  else log.info(`mail: delivering through ${transport.description}`);
  return startOutboxWorker({
    ...options,
    transport,
    settings: { pollIntervalMs: config.pollIntervalSeconds * 1000, retryDelayMs: config.retryDelaySeconds * 1000, maxAttempts: config.maxAttempts },
  });
}
