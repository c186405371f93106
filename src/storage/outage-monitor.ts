import type { Logger } from "../logger.js";

/** Turns a flood of refused requests during a database outage into two log lines: its start and its end. */
export interface OutageMonitor {
  /** A request was refused because the database is unavailable. */
  refused(cause: unknown): void;
  /** Stops probing (shutdown). */
  stop(): void;
}

const PROBE_INTERVAL_MS = 1_000;
const PROGRESS_INTERVAL_MS = 60_000;

/**
 * The first refusal logs the outage (one error line, the cause's message, no stack trace); later refusals are
 * only counted. While it lasts, `ping` is probed every second; when it answers, one line logs the end with how
 * long it lasted and how many requests were refused, and a long outage logs its count once a minute meanwhile.
 */
export function createOutageMonitor(options: { ping: () => Promise<void>; log: Logger; now?: () => number }): OutageMonitor {
  const { log } = options;
  const now = options.now ?? Date.now;
  let outage: { since: number; refused: number; lastProgress: number; timer: NodeJS.Timeout } | null = null;

  const probe = async () => {
    if (!outage) return;
    const ok = await options.ping().then(
      () => true,
      () => false,
    );
    if (!outage) return;
    if (ok) {
      clearInterval(outage.timer);
      log.info("database available again", { outageSeconds: Math.round((now() - outage.since) / 1000), refusedRequests: outage.refused });
      outage = null;
    } else if (now() - outage.lastProgress >= PROGRESS_INTERVAL_MS) {
      outage.lastProgress = now();
      log.warn("database still unavailable", { outageSeconds: Math.round((now() - outage.since) / 1000), refusedRequests: outage.refused });
    }
  };

  return {
    refused(cause) {
      if (outage) {
        outage.refused += 1;
        return;
      }
      const timer = setInterval(() => void probe(), PROBE_INTERVAL_MS).unref();
      outage = { since: now(), refused: 1, lastProgress: now(), timer };
      log.error("database unavailable: refusing requests with SERVICE_UNAVAILABLE until it answers again", { cause: describe(cause) });
    },
    stop() {
      if (outage) clearInterval(outage.timer);
      outage = null;
    },
  };
}

/** The cause's message chain, without stack traces (they say nothing about an outage, and repeat). */
function describe(cause: unknown): string {
  const messages: string[] = [];
  for (let current = cause, depth = 0; current instanceof Error && depth < 4; depth++) {
    messages.push(current.message);
    current = current.cause;
  }
  return messages.join(": ") || String(cause);
}
