import { randomUUID } from "node:crypto";
import {
  comparePageOrder,
  cursorOf,
  DuplicateError,
  type AuditEventRecord,
  type MailTokenRecord,
  type MailTokenRedemption,
  type NewAuditEvent,
  type NewOutboxMail,
  type NewRefreshToken,
  type NewSession,
  type NewUser,
  type OutboxMailRecord,
  type RedeemMailTokenResult,
  type RefreshTokenRecord,
  type RotateResult,
  type SecurityChange,
  type SecurityChangeResult,
  type SessionCursor,
  type SessionLimitDecision,
  type SessionRecord,
  type SessionStatus,
  type StartSessionResult,
  type Store,
  type UserRecord,
} from "../auth/ports/store.js";
import { MemoryMfaStore } from "./memory-mfa-store.js";

const copy = <T>(value: T): T => structuredClone(value);

/**
 * A Store in process memory, for fast tests of the domain. Concurrency: every method does all its work
 * synchronously (no await inside), so on the single JS thread each call is atomic; that gives the same
 * guarantees the database stores get from row locks and conditional writes. Records are copied in and out.
 */
export class MemoryStore implements Store {
  private readonly users = new Map<string, UserRecord>();
  private readonly sessions = new Map<string, SessionRecord>();
  private readonly tokens = new Map<string, RefreshTokenRecord>();
  private auditEvents: AuditEventRecord[] = [];
  readonly mfa = new MemoryMfaStore();
  private readonly mailTokens = new Map<string, MailTokenRecord>();
  private readonly outbox = new Map<string, OutboxMailRecord>();

  async createUser(user: NewUser): Promise<UserRecord> {
    for (const existing of this.users.values()) {
      if (existing.email === user.email) throw new DuplicateError("email");
      if (user.username !== null && existing.username === user.username) throw new DuplicateError("username");
    }
    const record: UserRecord = {
      id: randomUUID(),
      ...copy(user),
      emailVerifiedAt: user.emailVerifiedAt ?? null,
      disabledAt: null,
      securityStamp: randomUUID(),
      createdAt: new Date(),
    };
    this.users.set(record.id, record);
    return copy(record);
  }

  async findUserById(id: string): Promise<UserRecord | null> {
    const user = this.users.get(id);
    return user ? copy(user) : null;
  }

  async findUserByLogin(login: string): Promise<UserRecord | null> {
    const users = [...this.users.values()];
    const user = users.find((candidate) => candidate.email === login) ?? users.find((candidate) => candidate.username === login);
    return user ? copy(user) : null;
  }

  async upgradePasswordHash(userId: string, verifiedHash: string, passwordHash: string): Promise<boolean> {
    const user = this.users.get(userId);
    if (!user || user.passwordHash !== verifiedHash) return false;
    user.passwordHash = passwordHash;
    return true;
  }

  async applySecurityChange(userId: string, change: SecurityChange, now: Date): Promise<SecurityChangeResult> {
    const user = this.users.get(userId);
    if (!user) return { ok: false, reason: "NOT_FOUND" };
    if (change.expectedStamp !== null && user.securityStamp !== change.expectedStamp) return { ok: false, reason: "STAMP_CHANGED" };
    const redeem = change.redeem;
    const token = redeem && this.mailTokens.get(redeem.tokenHash);
    if (redeem && (!token || token.userId !== userId || token.purpose !== redeem.purpose || token.expiresAt <= now))
      return { ok: false, reason: "TOKEN_SPENT" };
    // last of the checks and first of the writes: when it fails, nothing has been written
    if (change.totp !== undefined && !this.mfa.applyTotpChange(userId, change.totp, now)) return { ok: false, reason: "TOTP_CHANGED" };
    if (redeem) {
      this.mailTokens.delete(redeem.tokenHash);
      if (user.email === redeem.verifiedEmail) user.emailVerifiedAt = new Date(now);
      for (const mail of redeem.mails) this.queue(mail);
    }
    user.securityStamp = randomUUID();
    if (change.passwordHash !== undefined) user.passwordHash = change.passwordHash;
    if (change.disabledAt !== undefined) user.disabledAt = new Date(change.disabledAt);
    const { status, exceptSessionId } = change.endSessions;
    const sessionsEnded = this.endActiveSessions(userId, status, exceptSessionId, now);
    return { ok: true, user: copy(user), sessionsEnded };
  }

  async getSessionsWithUsers(sessionIds: readonly string[]): Promise<Array<{ session: SessionRecord; user: UserRecord }>> {
    const result: Array<{ session: SessionRecord; user: UserRecord }> = [];
    for (const id of new Set(sessionIds)) {
      const session = this.sessions.get(id);
      const user = session && this.users.get(session.userId);
      if (session && user) result.push({ session: copy(session), user: copy(user) });
    }
    return result;
  }

  async getSession(sessionId: string): Promise<SessionRecord | null> {
    const session = this.sessions.get(sessionId);
    return session ? copy(session) : null;
  }

  async startSession(session: NewSession, token: NewRefreshToken, decide: SessionLimitDecision, now: Date, expectedStamp: string): Promise<StartSessionResult> {
    const user = this.users.get(session.userId);
    if (!user || user.disabledAt !== null || user.securityStamp !== expectedStamp) return { ok: false, reason: "ACCOUNT_CHANGED" };
    const active = [...this.sessions.values()]
      .filter((candidate) => candidate.userId === session.userId && candidate.status === "ACTIVE")
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id));
    const decision = decide(active.map(copy));
    if (decision === "reject") return { ok: false, reason: "SESSION_LIMIT_REACHED" };

    const replaceIds = new Set(decision.replace);
    const replaced = active.filter((candidate) => replaceIds.has(candidate.id));
    for (const old of replaced) Object.assign(old, { status: "REPLACED", endedAt: now });
    const record: SessionRecord = { ...copy(session), status: "ACTIVE", lastUsedAt: session.createdAt, endedAt: null };
    this.sessions.set(record.id, copy(record));
    this.tokens.set(token.id, { ...copy(token), rotatedAt: null, successorId: null, successorSecretSealed: null });
    return { ok: true, session: record, replaced: replaced.map(copy) };
  }

  async findRefreshToken(id: string): Promise<RefreshTokenRecord | null> {
    const token = this.tokens.get(id);
    return token ? copy(token) : null;
  }

  async rotateRefreshToken(
    oldTokenId: string,
    successor: NewRefreshToken & { sealedForPredecessor: string },
    sessionExpiresAt: Date,
    now: Date,
  ): Promise<RotateResult> {
    const old = this.tokens.get(oldTokenId);
    const session = old && this.sessions.get(old.sessionId);
    if (!old || !session || session.status !== "ACTIVE") return { ok: false, reason: "SESSION_ENDED" };
    if (old.rotatedAt !== null) return { ok: false, reason: "ALREADY_ROTATED", token: copy(old) };

    const { sealedForPredecessor, ...next } = successor;
    Object.assign(old, { rotatedAt: now, successorId: next.id, successorSecretSealed: sealedForPredecessor });
    const token: RefreshTokenRecord = { ...copy(next), sessionId: old.sessionId, rotatedAt: null, successorId: null, successorSecretSealed: null };
    this.tokens.set(token.id, token);
    Object.assign(session, { expiresAt: sessionExpiresAt, lastUsedAt: now });
    return { ok: true, session: copy(session), token: copy(token) };
  }

  async endSession(sessionId: string, status: Exclude<SessionStatus, "ACTIVE">, now: Date): Promise<SessionRecord | null> {
    const session = this.sessions.get(sessionId);
    if (!session) return null;
    if (session.status === "ACTIVE") Object.assign(session, { status, endedAt: now });
    return copy(session);
  }

  async listUserSessions(userId: string): Promise<SessionRecord[]> {
    return [...this.sessions.values()]
      .filter((session) => session.userId === userId)
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || b.id.localeCompare(a.id))
      .map(copy);
  }

  async listUserSessionsPage(userId: string, page: { limit: number; after: SessionCursor | null }): Promise<SessionRecord[]> {
    const { after } = page;
    return [...this.sessions.values()]
      .filter((session) => session.userId === userId && (after === null || comparePageOrder(after, cursorOf(session)) < 0))
      .sort((a, b) => comparePageOrder(cursorOf(a), cursorOf(b)))
      .slice(0, page.limit)
      .map(copy);
  }

  async endUserSessions(userId: string, status: Exclude<SessionStatus, "ACTIVE">, exceptSessionId: string | null, now: Date): Promise<number> {
    return this.endActiveSessions(userId, status, exceptSessionId, now);
  }

  async enableUser(userId: string): Promise<UserRecord | null> {
    const user = this.users.get(userId);
    if (!user) return null;
    user.disabledAt = null;
    return copy(user);
  }

  async deleteUser(userId: string): Promise<boolean> {
    if (!this.users.delete(userId)) return false;
    this.mfa.forgetUser(userId);
    for (const token of [...this.mailTokens.values()]) {
      if (token.userId === userId) this.mailTokens.delete(token.tokenHash);
    }
    for (const session of [...this.sessions.values()]) {
      if (session.userId === userId) this.deleteSession(session.id);
    }
    return true;
  }

  async touchSessions(entries: ReadonlyArray<{ sessionId: string; lastUsedAt: Date }>): Promise<void> {
    for (const { sessionId, lastUsedAt } of entries) {
      const session = this.sessions.get(sessionId);
      if (session && lastUsedAt > session.lastUsedAt) session.lastUsedAt = new Date(lastUsedAt);
    }
  }

  async sweepSessions(now: Date, purgeBefore: Date): Promise<{ expired: number; purged: number }> {
    let expired = 0;
    let purged = 0;
    for (const session of [...this.sessions.values()]) {
      if (session.status === "ACTIVE" && session.expiresAt <= now) {
        Object.assign(session, { status: "EXPIRED", endedAt: now });
        expired++;
      }
      if (session.status !== "ACTIVE" && session.endedAt !== null && session.endedAt < purgeBefore) {
        this.deleteSession(session.id);
        purged++;
      }
    }
    for (const token of [...this.tokens.values()]) {
      if (token.rotatedAt !== null && token.expiresAt <= now) this.tokens.delete(token.id);
    }
    return { expired, purged };
  }

  async appendAuditEvents(events: readonly NewAuditEvent[]): Promise<void> {
    for (const event of events) this.auditEvents.push({ id: randomUUID(), ...copy(event) });
  }

  async listAuditEvents(query: { userId: string | null; limit: number; before: Date | null }): Promise<AuditEventRecord[]> {
    return this.auditEvents
      .filter((event) => (query.userId === null || event.userId === query.userId) && (query.before === null || event.createdAt < query.before))
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || b.id.localeCompare(a.id))
      .slice(0, query.limit)
      .map(copy);
  }

  async pruneAuditEvents(before: Date): Promise<number> {
    const kept = this.auditEvents.filter((event) => event.createdAt >= before);
    const pruned = this.auditEvents.length - kept.length;
    this.auditEvents = kept;
    return pruned;
  }

  async issueMailToken(token: MailTokenRecord, mail: NewOutboxMail | null): Promise<void> {
    if (!this.users.has(token.userId)) throw new Error(`issueMailToken: user ${token.userId} does not exist`);
    for (const old of [...this.mailTokens.values()]) {
      if (old.userId === token.userId && old.purpose === token.purpose) this.mailTokens.delete(old.tokenHash);
    }
    this.mailTokens.set(token.tokenHash, copy(token));
    if (mail) this.queue(mail);
  }

  async findMailToken(tokenHash: string): Promise<MailTokenRecord | null> {
    const token = this.mailTokens.get(tokenHash);
    return token ? copy(token) : null;
  }

  async redeemMailToken(redemption: MailTokenRedemption): Promise<RedeemMailTokenResult> {
    const { tokenHash, userId, purpose, now } = redemption;
    const token = this.mailTokens.get(tokenHash);
    const user = this.users.get(userId);
    if (!token || !user || token.userId !== userId || token.purpose !== purpose || token.expiresAt <= now) return { ok: false };
    const newEmail = redemption.newEmail;
    if (newEmail !== undefined && [...this.users.values()].some((other) => other.id !== userId && other.email === newEmail)) {
      throw new DuplicateError("email");
    }
    this.mailTokens.delete(tokenHash);
    if (newEmail !== undefined) user.email = newEmail;
    if (user.email === redemption.verifiedEmail) user.emailVerifiedAt = new Date(now);
    for (const mail of redemption.mails) this.queue(mail);
    return { ok: true, user: copy(user) };
  }

  async deleteExpiredMailTokens(now: Date): Promise<number> {
    let deleted = 0;
    for (const token of [...this.mailTokens.values()]) {
      if (token.expiresAt < now && this.mailTokens.delete(token.tokenHash)) deleted++;
    }
    return deleted;
  }

  async enqueueMails(mails: readonly NewOutboxMail[]): Promise<void> {
    for (const mail of mails) this.queue(mail);
  }

  async claimOutboxMails(now: Date, leaseUntil: Date, limit: number): Promise<OutboxMailRecord[]> {
    const due = [...this.outbox.values()]
      .filter((mail) => mail.sentAt === null && mail.failedAt === null && mail.nextAttemptAt <= now)
      .sort((a, b) => a.nextAttemptAt.getTime() - b.nextAttemptAt.getTime() || a.createdAt.getTime() - b.createdAt.getTime())
      .slice(0, limit);
    for (const mail of due) mail.nextAttemptAt = new Date(leaseUntil);
    return due.map(copy);
  }

  async markOutboxMailSent(id: string, now: Date): Promise<void> {
    const mail = this.outbox.get(id);
    if (mail) Object.assign(mail, { sentAt: new Date(now), text: null, html: null });
  }

  async markOutboxMailFailed(id: string, failure: { now: Date; retryAt: Date | null; error: string }): Promise<void> {
    const mail = this.outbox.get(id);
    if (!mail) return;
    mail.attempts += 1;
    if (failure.retryAt) mail.nextAttemptAt = new Date(failure.retryAt);
    else Object.assign(mail, { failedAt: new Date(failure.now), text: null, html: null });
  }

  async pruneOutboxMails(before: Date): Promise<number> {
    let pruned = 0;
    for (const mail of [...this.outbox.values()]) {
      const done = mail.sentAt ?? mail.failedAt;
      if (done !== null && done < before && this.outbox.delete(mail.id)) pruned++;
    }
    return pruned;
  }

  async findOutboxMail(id: string): Promise<OutboxMailRecord | null> {
    const mail = this.outbox.get(id);
    return mail ? copy(mail) : null;
  }

  async listOutboxMails(to: string): Promise<OutboxMailRecord[]> {
    return [...this.outbox.values()]
      .filter((mail) => mail.to === to)
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())
      .map(copy);
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {}

  private queue(mail: NewOutboxMail): void {
    const record: OutboxMailRecord = { id: randomUUID(), ...copy(mail), attempts: 0, nextAttemptAt: new Date(mail.createdAt), sentAt: null, failedAt: null };
    this.outbox.set(record.id, record);
  }

  private endActiveSessions(userId: string, status: Exclude<SessionStatus, "ACTIVE">, exceptSessionId: string | null, now: Date): number {
    let ended = 0;
    for (const session of this.sessions.values()) {
      if (session.userId !== userId || session.status !== "ACTIVE" || session.id === exceptSessionId) continue;
      Object.assign(session, { status, endedAt: now });
      ended++;
    }
    return ended;
  }

  private deleteSession(sessionId: string): void {
    this.sessions.delete(sessionId);
    for (const token of [...this.tokens.values()]) {
      if (token.sessionId === sessionId) this.tokens.delete(token.id);
    }
  }
}

/** Opens an empty in-memory Store. */
export function createMemoryStore(): Store {
  return new MemoryStore();
}
