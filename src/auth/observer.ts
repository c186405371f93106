import type { AuditEntry, AuditLog } from "./audit-log.js";
import type { RateLimiter, RateLimiterFactory } from "./rate-limits.js";

/**
 * What the auth core tells operators' metrics. Only kinds and counts travel here: never a user id, an email or
 * a token, so no metric label can carry one.
 */
export interface AuthObserver {
  /** One batch of the per-request session lookup: how many sessions one query served and how long it took. */
  sessionLookup(batchSize: number, seconds: number): void;
  /** Something that happened to an account (the audit event's type and outcome, and a failure's reason). */
  accountEvent(type: AuditEntry["type"], outcome: "SUCCESS" | "FAILURE", reason: string | null): void;
  /** A request refused by the rate-limit rule `rule`. */
  rateLimited(rule: string): void;
}

/** An observer that notes nothing (the command-line tool, tests). */
export const NO_OBSERVER: AuthObserver = { sessionLookup() {}, accountEvent() {}, rateLimited() {} };

/** The audit log, telling `observer` of every event it records. */
export function observeAudit(audit: AuditLog, observer: AuthObserver): AuditLog {
  return {
    record(entry, now) {
      const reason = entry.detail?.reason;
      observer.accountEvent(entry.type, entry.outcome ?? "SUCCESS", typeof reason === "string" ? reason : null);
      return audit.record(entry, now);
    },
  };
}

/** Rate limiters that tell `observer` of every refusal, by the name of their rule. */
export function observeRateLimiters(factory: RateLimiterFactory, observer: AuthObserver): RateLimiterFactory {
  return {
    create(rule) {
      const limiter = factory.create(rule);
      const noted = async (verdict: ReturnType<RateLimiter["consume"]>) => {
        const result = await verdict;
        if (!result.ok) observer.rateLimited(rule.name);
        return result;
      };
      return { consume: (key) => noted(limiter.consume(key)), peek: (key) => limiter.peek(key), reset: (key) => limiter.reset(key) };
    },
    close: () => factory.close(),
  };
}
