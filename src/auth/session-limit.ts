import type { SessionLimitStrategy } from "../config.js";
import type { SessionLimitDecision, SessionRecord } from "./ports/store.js";

/** The concurrent-session policy of one deployment. */
export interface SessionLimitPolicy {
  /** 0 means unlimited. */
  limit: number;
  strategy: SessionLimitStrategy;
  idleTimeoutSeconds: number;
}

/** True while a session may still be used: not past its expiry nor idle past the timeout. */
export function isSessionLive(session: SessionRecord, idleTimeoutSeconds: number, now: Date): boolean {
  if (session.status !== "ACTIVE" || session.expiresAt <= now) return false;
  return idleTimeoutSeconds === 0 || now.getTime() - session.lastUsedAt.getTime() < idleTimeoutSeconds * 1000;
}

/**
 * Which sessions a new login ends, or whether it is refused. Expired and idle sessions never count,
 * so a forgotten device can never lock its owner out; with the `reject` strategy, `endOtherSessions` ends every
 * live session (REPLACED) where the login would have been refused.
 */
export function decideSessionLimit(policy: SessionLimitPolicy, now: Date, options: { endOtherSessions?: boolean } = {}): SessionLimitDecision {
  return (activeSessions) => {
    if (policy.limit === 0) return { replace: [] };
    const live = activeSessions.filter((s) => isSessionLive(s, policy.idleTimeoutSeconds, now));
    const excess = live.length - policy.limit + 1;
    if (excess <= 0) return { replace: [] };
    // the owner, having proved the password, may end the sessions in the way instead of being refused (a login
    // whose answer was lost leaves a session nobody holds: this is how its owner gets past it)
    if (policy.strategy === "reject") return options.endOtherSessions ? { replace: live.map((s) => s.id) } : "reject";
    const oldestFirst = [...live].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
    return { replace: oldestFirst.slice(0, excess).map((s) => s.id) };
  };
}
