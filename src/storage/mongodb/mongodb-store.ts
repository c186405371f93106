import { type Prisma, PrismaClient } from "../../generated/mongodb/client.js";
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
import { auditEventDocument, userDocument } from "./documents.js";
import { guard, uniqueViolationField } from "./errors.js";
import { isObjectId } from "./ids.js";
import { MongoMfaStore } from "./mongodb-mfa-store.js";
import { DEFAULT_EXPIRED_RETENTION_SECONDS, prepareMongoDatabase } from "./indexes.js";
import { rateLimitClient, type RateLimitModel } from "./rate-limit-client.js";
import { touchSessionsCommand } from "./raw-commands.js";
import {
  claimOutboxMailsIn,
  EmailTakenInRedemption,
  issueMailTokenIn,
  outboxDocuments,
  redeemMailTokenIn,
  toMailTokenRecord,
  toOutboxMailRecord,
} from "./mail-transactions.js";
import { toAuditEventRecord, toRefreshTokenRecord, toSessionRecord, toUserRecord } from "./records.js";
import { applySecurityChangeIn, LostRace, rotateRefreshTokenIn, SecurityChangeRefused, startSessionIn } from "./session-transactions.js";
import { retryOnWriteConflict, SINGLE_OPERATION_RETRY, TRANSACTION_RETRY } from "./transactions.js";
import { mongoDatabaseName, withConnectionDefaults } from "./url.js";

/** Options of createMongoStore. */
export interface MongoStoreOptions {
  /** mongodb:// URL of a replica set, with the database name. */
  url: string;
  /** Connections in the driver's pool (`maxPoolSize`, unless the URL sets it). */
  poolSize: number;
  /** Server selection and connect timeout, unless the URL sets them; default 5 s. */
  connectTimeoutMs?: number;
  /** Kept this long after `expiresAt`, then deleted by TTL indexes; default 30 days. */
  expiredRetentionSeconds?: number;
}

const TRANSACTION_OPTIONS = { maxWait: 5_000, timeout: 10_000 };

/**
 * The Store on MongoDB: Prisma's generated client (native query engine) on a replica set.
 *
 * Atomicity: Prisma's `updateMany` on MongoDB first finds the matching ids, then updates those ids; on its own
 * that is not a conditional write. Inside a transaction it is: the transaction reads one snapshot, and MongoDB
 * aborts it with a write conflict (P2034) if a document it writes changed after that snapshot. So every
 * read-then-write below runs in a transaction, and a transaction that lost a conflict is run again (up to 10
 * times: the engine does not retry inside an interactive transaction). A single operation is run again at most
 * once: the engine itself already retries those on transient errors for several seconds.
 *
 * Null and absent (issue 18): Prisma's MongoDB `create` writes only the fields it is given, so a field left out
 * is absent from the document, and since Prisma 3.11.1 `{ field: null }` matches an explicit null only, never
 * an absent field. The rule, for every model:
 * - every create writes every nullable field explicitly, null when it has no value (the builders in
 *   documents.ts; their type names each nullable field of the model, and explicit-nulls.test.ts checks
 *   the calls the store makes);
 * - a filter on null where older documents may lack the field matches both: `nullOrUnset(field)`, that is
 *   `OR: [{ field: null }, { field: { isSet: false } }]`.
 * Audited null filters: `refresh_tokens.rotatedAt` (rotation), `users.disabledAt` and `users.securityStamp`
 * (login, security changes) all go through nullOrUnset; rate-limiter-flexible's `expire: null` is safe as its
 * every create writes `expire`. explicit-nulls.test.ts lists the null filters the store actually sends.
 */
export class MongoStore implements Store {
  private readonly prisma: PrismaClient;
  private readonly expiredRetentionSeconds: number;
  readonly mfa: MongoMfaStore;

  /** `prisma`: for tests, a client to use instead of opening one from `options.url`. */
  constructor(options: MongoStoreOptions, prisma?: PrismaClient) {
    if (mongoDatabaseName(options.url) === "") throw new Error("MongoDB: the URL names no database (mongodb://host:27017/auth?…)");
    const datasourceUrl = withConnectionDefaults(options.url, { maxPoolSize: options.poolSize, timeoutMs: options.connectTimeoutMs ?? 5_000 });
    this.prisma = prisma ?? new PrismaClient({ datasourceUrl, transactionOptions: TRANSACTION_OPTIONS });
    this.expiredRetentionSeconds = options.expiredRetentionSeconds ?? DEFAULT_EXPIRED_RETENTION_SECONDS;
    this.mfa = new MongoMfaStore(this.prisma, { transaction: (work) => this.transaction(work), write: (operation) => this.write(operation) });
  }

  /** Checks the server is a replica set and creates the collections and indexes; run once at start-up. */
  ensureIndexes(): Promise<void> {
    return guard(() => prepareMongoDatabase(this.prisma, { expiredRetentionSeconds: this.expiredRetentionSeconds }));
  }

  /** Runs `work` in a transaction, again while it loses write conflicts. */
  private transaction<T>(work: (tx: Prisma.TransactionClient) => Promise<T>): Promise<T> {
    return guard(() => retryOnWriteConflict(() => this.prisma.$transaction(work), TRANSACTION_RETRY));
  }

  /**
   * Runs a single write, once more if it lost a write conflict: Prisma wraps even a single `create` or
   * `updateMany` in a transaction on MongoDB, and the engine's own retries may give up on a busy document.
   */
  private write<T>(operation: () => Promise<T>): Promise<T> {
    return guard(() => retryOnWriteConflict(operation, SINGLE_OPERATION_RETRY));
  }

  createUser(user: NewUser): Promise<UserRecord> {
    return guard(async () => {
      try {
        const row = await this.write(() => this.prisma.user.create({ data: userDocument(user) }));
        return toUserRecord(row);
      } catch (error) {
        // Unique indexes users_email_key and users_username_key (partial: only string usernames).
        const field = uniqueViolationField(error);
        if (field !== null) throw new DuplicateError(field);
        throw error;
      }
    });
  }

  findUserById(id: string): Promise<UserRecord | null> {
    if (!isObjectId(id)) return Promise.resolve(null);
    return guard(async () => {
      const row = await this.prisma.user.findUnique({ where: { id } });
      return row && toUserRecord(row);
    });
  }

  findUserByLogin(login: string): Promise<UserRecord | null> {
    return guard(async () => {
      const rows = await this.prisma.user.findMany({ where: { OR: [{ email: login }, { username: login }] }, take: 2 });
      // An email match wins over another account's identical username.
      const row = rows.find((candidate) => candidate.email === login) ?? rows[0];
      return row ? toUserRecord(row) : null;
    });
  }

  upgradePasswordHash(userId: string, verifiedHash: string, passwordHash: string): Promise<boolean> {
    if (!isObjectId(userId)) return Promise.resolve(false);
    // Atomicity: a transaction, so the `passwordHash: verifiedHash` condition holds when the write lands.
    return this.transaction(async (tx) => {
      const { count } = await tx.user.updateMany({ where: { id: userId, passwordHash: verifiedHash }, data: { passwordHash } });
      return count === 1;
    });
  }

  applySecurityChange(userId: string, change: SecurityChange, now: Date): Promise<SecurityChangeResult> {
    if (!isObjectId(userId)) return Promise.resolve({ ok: false, reason: "NOT_FOUND" });
    return guard(async () => {
      try {
        return await this.transaction((tx) => applySecurityChangeIn(tx, userId, change, now));
      } catch (error) {
        if (!(error instanceof SecurityChangeRefused)) throw error;
        return { ok: false, reason: error.reason };
      }
    });
  }

  getSessionsWithUsers(sessionIds: readonly string[]): Promise<Array<{ session: SessionRecord; user: UserRecord }>> {
    const ids = [...new Set(sessionIds)];
    if (ids.length === 0) return Promise.resolve([]);
    return guard(async () => {
      // One query for the sessions; Prisma loads their users with one more (`_id: { $in: … }`).
      const rows = await this.prisma.session.findMany({ where: { id: { in: ids } }, include: { user: true } });
      return rows.map(({ user, ...session }) => ({ session: toSessionRecord(session), user: toUserRecord(user) }));
    });
  }

  getSession(sessionId: string): Promise<SessionRecord | null> {
    return guard(async () => {
      const row = await this.prisma.session.findUnique({ where: { id: sessionId } });
      return row && toSessionRecord(row);
    });
  }

  startSession(session: NewSession, token: NewRefreshToken, decide: SessionLimitDecision, now: Date, expectedStamp: string): Promise<StartSessionResult> {
    if (!isObjectId(session.userId)) return Promise.resolve({ ok: false, reason: "ACCOUNT_CHANGED" });
    return this.transaction((tx) => startSessionIn(tx, session, token, decide, now, expectedStamp));
  }

  findRefreshToken(id: string): Promise<RefreshTokenRecord | null> {
    return guard(async () => {
      const row = await this.prisma.refreshToken.findUnique({ where: { id } });
      return row && toRefreshTokenRecord(row);
    });
  }

  rotateRefreshToken(
    oldTokenId: string,
    successor: NewRefreshToken & { sealedForPredecessor: string },
    sessionExpiresAt: Date,
    now: Date,
  ): Promise<RotateResult> {
    return guard(async () => {
      try {
        return await this.transaction((tx) => rotateRefreshTokenIn(tx, oldTokenId, successor, sessionExpiresAt, now));
      } catch (error) {
        if (!(error instanceof LostRace)) throw error;
        const token = await this.prisma.refreshToken.findUnique({ where: { id: oldTokenId } });
        return token ? { ok: false, reason: "ALREADY_ROTATED", token: toRefreshTokenRecord(token) } : { ok: false, reason: "SESSION_ENDED" };
      }
    });
  }

  endSession(sessionId: string, status: Exclude<SessionStatus, "ACTIVE">, now: Date): Promise<SessionRecord | null> {
    // Atomicity: a transaction, so the `status: ACTIVE` condition holds when the write lands (a concurrent end
    // makes this one conflict and run again, and then find the session already ended).
    return this.transaction(async (tx) => {
      await tx.session.updateMany({ where: { id: sessionId, status: "ACTIVE" }, data: { status, endedAt: now } });
      const row = await tx.session.findUnique({ where: { id: sessionId } });
      return row && toSessionRecord(row);
    });
  }

  listUserSessions(userId: string): Promise<SessionRecord[]> {
    if (!isObjectId(userId)) return Promise.resolve([]);
    return guard(async () => {
      const rows = await this.prisma.session.findMany({ where: { userId }, orderBy: [{ createdAt: "desc" }, { id: "desc" }] });
      return rows.map(toSessionRecord);
    });
  }

  listUserSessionsPage(userId: string, page: { limit: number; after: SessionCursor | null }): Promise<SessionRecord[]> {
    if (!isObjectId(userId)) return Promise.resolve([]);
    const { limit, after } = page;
    const newestFirst = [{ createdAt: "desc" as const }, { id: "desc" as const }];
    const olderThan = (cursor: SessionCursor) => ({ OR: [{ createdAt: { lt: cursor.createdAt } }, { createdAt: cursor.createdAt, id: { lt: cursor.id } }] });
    return guard(async () => {
      // Two queries, ACTIVE then ended, as the order puts them; each continues after the cursor in its own part.
      const active =
        after === null || after.active
          ? await this.prisma.session.findMany({ where: { userId, status: "ACTIVE", ...(after ? olderThan(after) : {}) }, orderBy: newestFirst, take: limit })
          : [];
      const room = limit - active.length;
      const ended =
        room > 0
          ? await this.prisma.session.findMany({
              where: { userId, status: { not: "ACTIVE" }, ...(after && !after.active ? olderThan(after) : {}) },
              orderBy: newestFirst,
              take: room,
            })
          : [];
      return [...active, ...ended].map(toSessionRecord);
    });
  }

  endUserSessions(userId: string, status: Exclude<SessionStatus, "ACTIVE">, exceptSessionId: string | null, now: Date): Promise<number> {
    if (!isObjectId(userId)) return Promise.resolve(0);
    // Atomicity: a transaction, as in endSession: only sessions still ACTIVE at the write are ended and counted.
    return this.transaction(async (tx) => {
      const except = exceptSessionId !== null ? { id: { not: exceptSessionId } } : {};
      const { count } = await tx.session.updateMany({ where: { userId, status: "ACTIVE", ...except }, data: { status, endedAt: now } });
      return count;
    });
  }

  enableUser(userId: string): Promise<UserRecord | null> {
    if (!isObjectId(userId)) return Promise.resolve(null);
    return guard(async () => {
      await this.write(() => this.prisma.user.updateMany({ where: { id: userId }, data: { disabledAt: null } }));
      const row = await this.prisma.user.findUnique({ where: { id: userId } });
      return row && toUserRecord(row);
    });
  }

  deleteUser(userId: string): Promise<boolean> {
    if (!isObjectId(userId)) return Promise.resolve(false);
    // One transaction: the user goes with their sessions and refresh tokens, or nothing goes; audit events stay.
    // A login racing with it writes the user document too, so one of them conflicts and runs again.
    return this.transaction(async (tx) => {
      const sessions = await tx.session.findMany({ where: { userId }, select: { id: true } });
      const sessionIds = sessions.map((session) => session.id);
      if (sessionIds.length > 0) {
        await tx.refreshToken.deleteMany({ where: { sessionId: { in: sessionIds } } });
        await tx.session.deleteMany({ where: { id: { in: sessionIds } } });
      }
      await MongoMfaStore.deleteUserIn(tx, userId);
      await tx.mailToken.deleteMany({ where: { userId } });
      const { count } = await tx.user.deleteMany({ where: { id: userId } });
      return count > 0;
    });
  }

  touchSessions(entries: ReadonlyArray<{ sessionId: string; lastUsedAt: Date }>): Promise<void> {
    // Atomicity: one `update` command of single-document conditional writes (`lastUsedAt < t`), see raw-commands.ts.
    const command = touchSessionsCommand(entries);
    if (command === null) return Promise.resolve();
    return this.write(async () => {
      await this.prisma.$runCommandRaw(command);
    });
  }

  sweepSessions(now: Date, purgeBefore: Date): Promise<{ expired: number; purged: number }> {
    // Atomicity: two transactions. The first ends only sessions still ACTIVE and overdue when written (a renewal
    // sliding `expiresAt` meanwhile conflicts with it); the second deletes ended sessions with their tokens.
    return guard(async () => {
      const expired = await this.transaction((tx) =>
        tx.session.updateMany({ where: { status: "ACTIVE", expiresAt: { lte: now } }, data: { status: "EXPIRED", endedAt: now } }),
      );
      const purged = await this.transaction(async (tx) => {
        const ended = await tx.session.findMany({ where: { status: { not: "ACTIVE" }, endedAt: { lt: purgeBefore } }, select: { id: true } });
        const ids = ended.map((session) => session.id);
        if (ids.length === 0) return 0;
        await tx.refreshToken.deleteMany({ where: { sessionId: { in: ids } } });
        const { count } = await tx.session.deleteMany({ where: { id: { in: ids } } });
        return count;
      });
      // the TTL index deletes them too, but lazily and only after the retention period
      await this.write(() => this.prisma.refreshToken.deleteMany({ where: { rotatedAt: { not: null }, expiresAt: { lte: now } } }));
      return { expired: expired.count, purged };
    });
  }

  appendAuditEvents(events: readonly NewAuditEvent[]): Promise<void> {
    if (events.length === 0) return Promise.resolve();
    return this.write(async () => {
      await this.prisma.auditEvent.createMany({ data: events.map(auditEventDocument) });
    });
  }

  listAuditEvents(query: { userId: string | null; limit: number; before: Date | null }): Promise<AuditEventRecord[]> {
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
    return this.write(async () => {
      const { count } = await this.prisma.auditEvent.deleteMany({ where: { createdAt: { lt: before } } });
      return count;
    });
  }

  issueMailToken(token: MailTokenRecord, mail: NewOutboxMail | null): Promise<void> {
    return this.transaction((tx) => issueMailTokenIn(tx, token, mail));
  }

  findMailToken(tokenHash: string): Promise<MailTokenRecord | null> {
    return guard(async () => {
      const row = await this.prisma.mailToken.findUnique({ where: { tokenHash } });
      return row && toMailTokenRecord(row);
    });
  }

  redeemMailToken(redemption: MailTokenRedemption): Promise<RedeemMailTokenResult> {
    if (!isObjectId(redemption.userId)) return Promise.resolve({ ok: false });
    return guard(async () => {
      try {
        return await this.transaction((tx) => redeemMailTokenIn(tx, redemption));
      } catch (error) {
        // a taken address is found inside the transaction, or by the unique index when a racer wins meanwhile
        if (error instanceof EmailTakenInRedemption || uniqueViolationField(error) === "email") throw new DuplicateError("email");
        throw error;
      }
    });
  }

  deleteExpiredMailTokens(now: Date): Promise<number> {
    // the TTL index mail_tokens_expiresAt_ttl does this too, within a minute or so
    return this.write(async () => (await this.prisma.mailToken.deleteMany({ where: { expiresAt: { lt: now } } })).count);
  }

  enqueueMails(mails: readonly NewOutboxMail[]): Promise<void> {
    if (mails.length === 0) return Promise.resolve();
    return this.write(async () => {
      await this.prisma.outboxMail.createMany({ data: outboxDocuments(mails) });
    });
  }

  claimOutboxMails(now: Date, leaseUntil: Date, limit: number): Promise<OutboxMailRecord[]> {
    return this.transaction((tx) => claimOutboxMailsIn(tx, now, leaseUntil, limit));
  }

  markOutboxMailSent(id: string, now: Date): Promise<void> {
    return this.write(async () => {
      await this.prisma.outboxMail.updateMany({ where: { id }, data: { sentAt: now, textBody: null, htmlBody: null, lastError: null } });
    });
  }

  markOutboxMailFailed(id: string, failure: { now: Date; retryAt: Date | null; error: string }): Promise<void> {
    const lastError = failure.error.slice(0, 500);
    const data = failure.retryAt
      ? { attempts: { increment: 1 }, nextAttemptAt: failure.retryAt, lastError }
      : { attempts: { increment: 1 }, failedAt: failure.now, lastError, textBody: null, htmlBody: null };
    return this.write(async () => {
      await this.prisma.outboxMail.updateMany({ where: { id }, data });
    });
  }

  pruneOutboxMails(before: Date): Promise<number> {
    return this.write(async () => {
      const { count } = await this.prisma.outboxMail.deleteMany({ where: { OR: [{ sentAt: { lt: before } }, { failedAt: { lt: before } }] } });
      return count;
    });
  }

  findOutboxMail(id: string): Promise<OutboxMailRecord | null> {
    return guard(async () => {
      const row = await this.prisma.outboxMail.findUnique({ where: { id } });
      return row && toOutboxMailRecord(row);
    });
  }

  listOutboxMails(to: string): Promise<OutboxMailRecord[]> {
    return guard(async () => {
      const rows = await this.prisma.outboxMail.findMany({ where: { recipient: to }, orderBy: [{ createdAt: "desc" }] });
      return rows.map(toOutboxMailRecord);
    });
  }

  ping(): Promise<void> {
    return guard(async () => {
      await this.prisma.$runCommandRaw({ ping: 1 });
    });
  }

  /** The `rate_limits` model, for the rate limiters that keep their counters in the same database. */
  get rateLimitClient(): { rateLimit: RateLimitModel } {
    return rateLimitClient(this.prisma);
  }

  close(): Promise<void> {
    return this.prisma.$disconnect();
  }
}

/** Opens a MongoStore; the connection is made lazily, on first use. Call `ensureIndexes()` once at start-up. */
export function createMongoStore(options: MongoStoreOptions): MongoStore {
  return new MongoStore(options);
}
