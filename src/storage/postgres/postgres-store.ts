import { randomUUID } from "node:crypto";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { Prisma, PrismaClient } from "../../generated/postgresql/client.js";
import {
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
} from "../../auth/ports/store.js";
import { guard, uniqueViolationField } from "./errors.js";
import { PostgresMfaStore } from "./postgres-mfa-store.js";
import * as mail from "./mail-statements.js";
import { isUuid, toAuditEventRecord, toRefreshTokenRecord, toSessionRecord, toSessionWithUser, toUserRecord } from "./records.js";
import * as sql from "./statements.js";

/** Options of createPostgresStore. */
export interface PostgresStoreOptions {
  url: string;
  /** Connections in the pg pool. */
  poolSize: number;
  /** How long to wait for a connection (a new one, or a free one of a busy pool) before reporting the database unavailable; default 5 s. */
  connectTimeoutMs?: number;
  /**
   * Longest a statement (a lock wait included) may run before PostgreSQL cancels it and it is reported unavailable;
   * default 5 s. The client stops waiting one second later in any case: a frozen server cannot cancel anything.
   */
  statementTimeoutMs?: number;
  /** Rows the session sweep ends or deletes per statement; default 2,000. */
  sweepBatchSize?: number;
  log?: (msg: string) => void;
}

type LockedUser = { id: string; securityStamp: string; disabledAt: Date | null };

const DEFAULT_TIMEOUT_MS = 5_000;
const DEFAULT_SWEEP_BATCH_SIZE = 2_000;
const CLIENT_DEADLINE_MARGIN_MS = 1_000;

// Thrown inside a transaction to roll it back when a conditional write lost its race.
class LostRace extends Error {}

// Thrown inside applySecurityChange's transaction to roll it back when a part of the change cannot apply.
class Refused extends Error {
  constructor(readonly reason: "TOTP_CHANGED" | "TOKEN_SPENT") {
    super(reason);
  }
}

/**
 * The Store on PostgreSQL: Prisma's generated client over a `pg` pool (driver adapter, no native engine).
 * The per-request check and the login and renewal paths run prepared statements (statements.ts) on that pool
 * directly: a Prisma call costs ~1.2 ms of CPU in this process, a prepared statement ~0.1 ms.
 */
export class PostgresStore implements Store {
  private readonly prisma: PrismaClient;
  /** The adapter's pool, shared with Prisma; the hot path queries it directly. */
  private readonly pool: pg.Pool;
  readonly mfa: PostgresMfaStore;
  private readonly sweepBatchSize: number;

  constructor(options: PostgresStoreOptions) {
    const log = options.log ?? (() => undefined);
    this.sweepBatchSize = options.sweepBatchSize ?? DEFAULT_SWEEP_BATCH_SIZE;
    const statementTimeoutMs = options.statementTimeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.pool = new pg.Pool({
      connectionString: options.url,
      max: options.poolSize,
      connectionTimeoutMillis: options.connectTimeoutMs ?? DEFAULT_TIMEOUT_MS,
      idleTimeoutMillis: 30_000,
      // a request never waits on the database without bound: a stuck lock or query becomes a 503, not a hang;
      // the server cancels first (the connection stays usable), the client's deadline covers a server that cannot
      statement_timeout: statementTimeoutMs,
      query_timeout: statementTimeoutMs + CLIENT_DEADLINE_MARGIN_MS,
      idle_in_transaction_session_timeout: 30_000,
    });
    // an idle connection that dies must not crash the process (Prisma adds its listener only once connected)
    this.pool.on("error", (error) => log(`postgres pool: idle connection error: ${error.message}`));
    const adapter = new PrismaPg(this.pool, { disposeExternalPool: true });
    this.prisma = new PrismaClient({ adapter });
    this.mfa = new PostgresMfaStore(this.prisma);
  }

  createUser(user: NewUser): Promise<UserRecord> {
    return guard(async () => {
      try {
        const row = await this.prisma.user.create({
          data: { ...user, profile: user.profile as Prisma.InputJsonObject },
        });
        return toUserRecord(row);
      } catch (error) {
        const field = uniqueViolationField(error);
        if (field !== null) throw new DuplicateError(field);
        throw error;
      }
    });
  }

  findUserById(id: string): Promise<UserRecord | null> {
    if (!isUuid(id)) return Promise.resolve(null);
    return guard(async () => {
      const row = await this.prisma.user.findUnique({ where: { id } });
      return row && toUserRecord(row);
    });
  }

  findUserByLogin(login: string): Promise<UserRecord | null> {
    return guard(async () => {
      const { rows } = await this.pool.query<sql.UserRow>({ ...sql.USERS_BY_LOGIN, values: [login] });
      // An email match wins over another account's identical username.
      const row = rows.find((candidate) => candidate.email === login) ?? rows[0];
      return row ? toUserRecord(row) : null;
    });
  }

  upgradePasswordHash(userId: string, verifiedHash: string, passwordHash: string): Promise<boolean> {
    if (!isUuid(userId)) return Promise.resolve(false);
    return guard(async () => {
      const { rowCount } = await this.pool.query({ ...sql.UPGRADE_PASSWORD_HASH, values: [userId, verifiedHash, passwordHash] });
      return rowCount === 1;
    });
  }

  applySecurityChange(userId: string, change: SecurityChange, now: Date): Promise<SecurityChangeResult> {
    if (!isUuid(userId)) return Promise.resolve({ ok: false, reason: "NOT_FOUND" });
    const { expectedStamp, passwordHash, disabledAt, endSessions, totp, redeem } = change;
    const except = endSessions.exceptSessionId !== null && isUuid(endSessions.exceptSessionId) ? endSessions.exceptSessionId : null;
    return guard(async () => {
      try {
        return await sql.inTransaction(this.pool, async (client): Promise<SecurityChangeResult> => {
          const values = [userId, expectedStamp, randomUUID(), passwordHash ?? null, disabledAt ?? null, now];
          const updated = await client.query<sql.UserRow>({ ...sql.APPLY_SECURITY_CHANGE, values });
          if (updated.rowCount === 0) {
            const exists = await client.query({ ...sql.LOCK_USER, values: [userId] });
            return { ok: false, reason: exists.rowCount ? "STAMP_CHANGED" : "NOT_FOUND" };
          }
          let user = updated.rows[0]!;
          // the stamp is already rotated in this transaction: a part that cannot apply must undo it
          if (totp !== undefined && !(await PostgresMfaStore.applyTotpChangeIn(client, userId, totp, now))) throw new Refused("TOTP_CHANGED");
          if (redeem !== undefined) {
            const tokenValues = [redeem.tokenHash, userId, redeem.purpose, redeem.verifiedEmail, now];
            const redeemed = await client.query<sql.UserRow>({ ...sql.REDEEM_SECURITY_TOKEN, values: tokenValues });
            if (redeemed.rowCount === 0) throw new Refused("TOKEN_SPENT");
            user = redeemed.rows[0]!;
            await mail.insertMails(client, redeem.mails);
          }
          // same transaction, after the row lock: a login that committed first is ended here, a later one is refused
          const ended = await client.query({ ...sql.END_USER_SESSIONS, values: [userId, endSessions.status, except, now] });
          return { ok: true, user: toUserRecord(user), sessionsEnded: ended.rowCount ?? 0 };
        });
      } catch (error) {
        if (!(error instanceof Refused)) throw error;
        return { ok: false, reason: error.reason };
      }
    });
  }

  getSessionsWithUsers(sessionIds: readonly string[]): Promise<Array<{ session: SessionRecord; user: UserRecord }>> {
    const ids = [...new Set(sessionIds.filter(isUuid))];
    if (ids.length === 0) return Promise.resolve([]);
    return guard(async () => {
      const { rows } = await this.pool.query<sql.SessionWithUserRow>({ ...sql.SESSIONS_WITH_USERS, values: [ids] });
      return rows.map(toSessionWithUser);
    });
  }

  getSession(sessionId: string): Promise<SessionRecord | null> {
    if (!isUuid(sessionId)) return Promise.resolve(null);
    return guard(async () => {
      const row = await this.prisma.session.findUnique({ where: { id: sessionId } });
      return row && toSessionRecord(row);
    });
  }

  startSession(session: NewSession, token: NewRefreshToken, decide: SessionLimitDecision, now: Date, expectedStamp: string): Promise<StartSessionResult> {
    return guard(() =>
      sql.inTransaction(this.pool, async (client): Promise<StartSessionResult> => {
        // Serialise logins and security changes of this user: the row lock is held until commit, and each statement
        // after it sees what the previous holder committed (READ COMMITTED), so `decide` sees the sessions as they
        // are, and the stamp and disabledAt read here are the ones a password change or disable just committed.
        const locked = isUuid(session.userId) ? await client.query<LockedUser>({ ...sql.LOCK_USER, values: [session.userId] }) : null;
        const user = locked?.rows[0];
        if (!user || user.disabledAt !== null || user.securityStamp !== expectedStamp) return { ok: false, reason: "ACCOUNT_CHANGED" };
        const activeRows = await client.query<sql.SessionRow>({ ...sql.ACTIVE_SESSIONS, values: [session.userId] });
        const active = activeRows.rows.map(toSessionRecord);
        const decision = decide(active);
        if (decision === "reject") return { ok: false, reason: "SESSION_LIMIT_REACHED" };

        const replaceIds = new Set(decision.replace);
        const replaced = active.filter((candidate) => replaceIds.has(candidate.id));
        if (replaced.length > 0) await client.query({ ...sql.REPLACE_SESSIONS, values: [replaced.map((old) => old.id), now] });
        const { id, userId, createdAt, expiresAt, userAgent, ipAddress } = session;
        const created = await client.query<sql.SessionRow>({ ...sql.INSERT_SESSION, values: [id, userId, createdAt, expiresAt, userAgent, ipAddress] });
        await client.query({ ...sql.INSERT_REFRESH_TOKEN, values: [token.id, token.sessionId, token.secretHash, token.createdAt, token.expiresAt] });
        return {
          ok: true,
          session: toSessionRecord(created.rows[0]!),
          replaced: replaced.map((old) => ({ ...old, status: "REPLACED" as const, endedAt: now })),
        };
      }),
    );
  }

  findRefreshToken(id: string): Promise<RefreshTokenRecord | null> {
    return guard(async () => {
      const { rows } = await this.pool.query<sql.RefreshTokenRow>({ ...sql.REFRESH_TOKEN_BY_ID, values: [id] });
      return rows[0] ? toRefreshTokenRecord(rows[0]) : null;
    });
  }

  rotateRefreshToken(
    oldTokenId: string,
    successor: NewRefreshToken & { sealedForPredecessor: string },
    sessionExpiresAt: Date,
    now: Date,
  ): Promise<RotateResult> {
    const { sealedForPredecessor, ...next } = successor;
    return guard(async () => {
      try {
        return await sql.inTransaction(this.pool, async (client): Promise<RotateResult> => {
          const old = (await client.query<sql.RefreshTokenRow>({ ...sql.REFRESH_TOKEN_BY_ID, values: [oldTokenId] })).rows[0];
          if (old === undefined) return { ok: false, reason: "SESSION_ENDED" };
          // Conditional writes, session row first (every rotation of a session queues on it), then the token.
          const slid = await client.query<sql.SessionRow>({ ...sql.SLIDE_SESSION, values: [old.sessionId, sessionExpiresAt, now] });
          if (slid.rowCount === 0) return { ok: false, reason: "SESSION_ENDED" };
          const rotated = await client.query({ ...sql.MARK_TOKEN_ROTATED, values: [oldTokenId, now, next.id, sealedForPredecessor] });
          if (rotated.rowCount === 0) throw new LostRace(); // roll back the session slide too
          const values = [next.id, old.sessionId, next.secretHash, next.createdAt, next.expiresAt];
          const token = await client.query<sql.RefreshTokenRow>({ ...sql.INSERT_REFRESH_TOKEN, values });
          return { ok: true, session: toSessionRecord(slid.rows[0]!), token: toRefreshTokenRecord(token.rows[0]!) };
        });
      } catch (error) {
        if (!(error instanceof LostRace)) throw error;
        const token = await this.findRefreshToken(oldTokenId);
        return token ? { ok: false, reason: "ALREADY_ROTATED", token } : { ok: false, reason: "SESSION_ENDED" };
      }
    });
  }

  endSession(sessionId: string, status: Exclude<SessionStatus, "ACTIVE">, now: Date): Promise<SessionRecord | null> {
    if (!isUuid(sessionId)) return Promise.resolve(null);
    return guard(async () => {
      await this.prisma.session.updateMany({ where: { id: sessionId, status: "ACTIVE" }, data: { status, endedAt: now } });
      const row = await this.prisma.session.findUnique({ where: { id: sessionId } });
      return row && toSessionRecord(row);
    });
  }

  listUserSessions(userId: string): Promise<SessionRecord[]> {
    if (!isUuid(userId)) return Promise.resolve([]);
    return guard(async () => {
      const rows = await this.prisma.session.findMany({ where: { userId }, orderBy: [{ createdAt: "desc" }, { id: "desc" }] });
      return rows.map(toSessionRecord);
    });
  }

  listUserSessionsPage(userId: string, page: { limit: number; after: SessionCursor | null }): Promise<SessionRecord[]> {
    if (!isUuid(userId)) return Promise.resolve([]);
    const { after } = page;
    const values = [userId, page.limit, after?.active ?? null, after?.createdAt ?? null, after && isUuid(after.id) ? after.id : null];
    return guard(async () => {
      const { rows } = await this.pool.query<sql.SessionRow>({ ...sql.SESSIONS_PAGE, values });
      return rows.map(toSessionRecord);
    });
  }

  endUserSessions(userId: string, status: Exclude<SessionStatus, "ACTIVE">, exceptSessionId: string | null, now: Date): Promise<number> {
    if (!isUuid(userId)) return Promise.resolve(0);
    return guard(async () => {
      const except = exceptSessionId !== null && isUuid(exceptSessionId) ? { id: { not: exceptSessionId } } : {};
      const { count } = await this.prisma.session.updateMany({
        where: { userId, status: "ACTIVE", ...except },
        data: { status, endedAt: now },
      });
      return count;
    });
  }

  enableUser(userId: string): Promise<UserRecord | null> {
    if (!isUuid(userId)) return Promise.resolve(null);
    return guard(async () => {
      await this.prisma.user.updateMany({ where: { id: userId }, data: { disabledAt: null } });
      const row = await this.prisma.user.findUnique({ where: { id: userId } });
      return row && toUserRecord(row);
    });
  }

  deleteUser(userId: string): Promise<boolean> {
    if (!isUuid(userId)) return Promise.resolve(false);
    return guard(async () => {
      // Sessions and refresh tokens go with the user (ON DELETE CASCADE); audit events stay.
      const { count } = await this.prisma.user.deleteMany({ where: { id: userId } });
      return count > 0;
    });
  }

  touchSessions(entries: ReadonlyArray<{ sessionId: string; lastUsedAt: Date }>): Promise<void> {
    // One row per session, its latest time: UPDATE … FROM applies only one source row per target row.
    const latest = new Map<string, Date>();
    for (const { sessionId, lastUsedAt } of entries) {
      const seen = latest.get(sessionId);
      if (isUuid(sessionId) && (seen === undefined || lastUsedAt > seen)) latest.set(sessionId, lastUsedAt);
    }
    if (latest.size === 0) return Promise.resolve();
    const values = Prisma.join([...latest].map(([id, at]) => Prisma.sql`(${id}::uuid, ${at.toISOString()}::timestamptz)`));
    return guard(async () => {
      await this.prisma.$executeRaw`
        UPDATE sessions AS s SET last_used_at = GREATEST(s.last_used_at, v.last_used_at)
        FROM (VALUES ${values}) AS v(id, last_used_at)
        WHERE s.id = v.id AND v.last_used_at > s.last_used_at`;
    });
  }

  sweepSessions(now: Date, purgeBefore: Date): Promise<{ expired: number; purged: number }> {
    // In batches (issue 16): one statement over a million overdue sessions outlives the statement timeout, so
    // the sweep never finished, and each ended row's NOTIFY reached the API in one burst at commit.
    // SKIP LOCKED passes over a session a logout holds; the outer status check keeps that logout's status.
    const limit = this.sweepBatchSize;
    const inBatches = async (statement: () => Promise<number>): Promise<number> => {
      let total = 0;
      let count: number;
      do {
        count = await statement();
        total += count;
      } while (count >= limit);
      return total;
    };
    return guard(async () => {
      const expired = await inBatches(
        () => this.prisma.$executeRaw`
        UPDATE sessions SET status = 'EXPIRED', ended_at = ${now}
        WHERE status = 'ACTIVE' AND expires_at <= ${now} AND id IN (
          SELECT id FROM sessions WHERE status = 'ACTIVE' AND expires_at <= ${now} LIMIT ${limit} FOR UPDATE SKIP LOCKED)`,
      );
      const purged = await inBatches(
        () => this.prisma.$executeRaw`
        DELETE FROM sessions WHERE status <> 'ACTIVE' AND ended_at < ${purgeBefore} AND id IN (
          SELECT id FROM sessions WHERE status <> 'ACTIVE' AND ended_at < ${purgeBefore} LIMIT ${limit} FOR UPDATE SKIP LOCKED)`,
      );
      await inBatches(
        () => this.prisma.$executeRaw`
        DELETE FROM refresh_tokens WHERE id IN (
          SELECT id FROM refresh_tokens WHERE rotated_at IS NOT NULL AND expires_at <= ${now} LIMIT ${limit} FOR UPDATE SKIP LOCKED)`,
      );
      return { expired, purged };
    });
  }

  appendAuditEvents(events: readonly NewAuditEvent[]): Promise<void> {
    if (events.length === 0) return Promise.resolve();
    const column = <T>(pick: (event: NewAuditEvent) => T): T[] => events.map(pick);
    const values = [
      column(() => randomUUID()),
      column((e) => e.userId),
      column((e) => e.sessionId),
      column((e) => e.actorId),
      column((e) => e.type),
      column((e) => e.outcome),
      column((e) => e.ipAddress),
      column((e) => e.userAgent),
      column((e) => JSON.stringify(e.detail)),
      column((e) => e.createdAt),
    ];
    return guard(async () => {
      await this.pool.query({ ...sql.INSERT_AUDIT_EVENTS, values });
    });
  }

  listAuditEvents(query: { userId: string | null; limit: number; before: Date | null }): Promise<AuditEventRecord[]> {
    if (query.userId !== null && !isUuid(query.userId)) return Promise.resolve([]);
    return guard(async () => {
      const rows = await this.prisma.auditEvent.findMany({
        where: {
          ...(query.userId !== null ? { userId: query.userId } : {}),
          ...(query.before !== null ? { createdAt: { lt: query.before } } : {}),
        },
        orderBy: [{ createdAt: "desc" }, { id: "desc" }],
        take: query.limit,
      });
      return rows.map(toAuditEventRecord);
    });
  }

  pruneAuditEvents(before: Date): Promise<number> {
    return guard(async () => {
      const { count } = await this.prisma.auditEvent.deleteMany({ where: { createdAt: { lt: before } } });
      return count;
    });
  }

  poolStats(): { total: number; idle: number; waiting: number } {
    return { total: this.pool.totalCount, idle: this.pool.idleCount, waiting: this.pool.waitingCount };
  }

  issueMailToken(token: MailTokenRecord, outboxMail: NewOutboxMail | null): Promise<void> {
    return guard(() => mail.issueMailToken(this.pool, token, outboxMail));
  }

  findMailToken(tokenHash: string): Promise<MailTokenRecord | null> {
    return guard(() => mail.findMailToken(this.pool, tokenHash));
  }

  redeemMailToken(redemption: MailTokenRedemption): Promise<RedeemMailTokenResult> {
    return guard(() => mail.redeemMailToken(this.pool, redemption));
  }

  deleteExpiredMailTokens(now: Date): Promise<number> {
    return guard(() => mail.deleteExpiredMailTokens(this.pool, now));
  }

  enqueueMails(mails: readonly NewOutboxMail[]): Promise<void> {
    return guard(() => mail.enqueueMails(this.pool, mails));
  }

  claimOutboxMails(now: Date, leaseUntil: Date, limit: number): Promise<OutboxMailRecord[]> {
    return guard(() => mail.claimOutboxMails(this.pool, now, leaseUntil, limit));
  }

  markOutboxMailSent(id: string, now: Date): Promise<void> {
    return guard(() => mail.markOutboxMailSent(this.pool, id, now));
  }

  markOutboxMailFailed(id: string, failure: { now: Date; retryAt: Date | null; error: string }): Promise<void> {
    return guard(() => mail.markOutboxMailFailed(this.pool, id, failure));
  }

  pruneOutboxMails(before: Date): Promise<number> {
    return guard(() => mail.pruneOutboxMails(this.pool, before));
  }

  findOutboxMail(id: string): Promise<OutboxMailRecord | null> {
    return guard(() => mail.findOutboxMail(this.pool, id));
  }

  listOutboxMails(to: string): Promise<OutboxMailRecord[]> {
    return guard(() => mail.listOutboxMails(this.pool, to));
  }

  ping(): Promise<void> {
    return guard(async () => {
      await this.prisma.$queryRaw`SELECT 1`;
    });
  }

  async close(): Promise<void> {
    await this.prisma.$disconnect(); // ends the pool too, when Prisma had connected
    if (!this.pool.ending && !this.pool.ended) await this.pool.end();
  }
}

/** Opens a PostgresStore; connections are made lazily, on first use. */
export function createPostgresStore(options: PostgresStoreOptions): Store {
  return new PostgresStore(options);
}
