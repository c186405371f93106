import type { Logger } from "../logger.js";
import type { Store } from "./ports/store.js";

const MFA_CHALLENGE_KEEP_MS = 3_600_000;

/** What the periodic clean-up does, and how often. */
export interface MaintenanceSettings {
  /** Seconds between runs; 0 turns the periodic run off. */
  sweepIntervalSeconds: number;
  /** Audit events, and sessions ended, longer ago than this are deleted. */
  auditRetentionSeconds: number;
}

/** The periodic clean-up of one process. */
export interface Maintenance {
  /** One run now: expires overdue sessions, purges old ended sessions, old audit events and spent mfaTokens. Never rejects. */
  runOnce(): Promise<void>;
  /** Stops the timer and waits for a run in progress. */
  stop(): Promise<void>;
}

/**
 * Sweeps expired sessions and prunes old audit events in the background. The timer never keeps the process
 * alive, and a run never overlaps the previous one; failures are logged, not thrown. Several instances may
 * run it at once: each step is one idempotent statement.
 */
export function startMaintenance(options: { store: Store; log: Logger; now: () => Date; settings: MaintenanceSettings }): Maintenance {
  const { store, log, now, settings } = options;
  let running: Promise<void> | null = null;

  const run = async (): Promise<void> => {
    const at = now();
    const cutoff = new Date(at.getTime() - settings.auditRetentionSeconds * 1000);
    try {
      // ended sessions are kept as long as the audit events that name them
      const swept = await store.sweepSessions(at, cutoff);
      const pruned = await store.pruneAuditEvents(cutoff);
      // an mfaToken lives minutes; its row is kept an hour after expiry, then goes
      const mfaChallengesPruned = await store.mfa.pruneMfaChallenges(new Date(at.getTime() - MFA_CHALLENGE_KEEP_MS));
      log.debug("maintenance done", { ...swept, auditEventsPruned: pruned, mfaChallengesPruned });
    } catch (error) {
      log.warn("maintenance failed; retrying at the next interval", { error });
    }
  };
  const runOnce = (): Promise<void> => {
    running ??= run().finally(() => (running = null));
    return running;
  };

  const timer = settings.sweepIntervalSeconds > 0 ? setInterval(() => void runOnce(), settings.sweepIntervalSeconds * 1000) : null;
  timer?.unref();

  return {
    runOnce,
    async stop() {
      if (timer) clearInterval(timer);
      await running;
    },
  };
}
