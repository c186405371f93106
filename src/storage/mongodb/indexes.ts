import type { RawCommand } from "./raw-commands.js";

/** What ensureMongoIndexes needs of a Prisma client: `$runCommandRaw`. */
export interface CommandRunner {
  $runCommandRaw(command: RawCommand): PromiseLike<unknown>;
}

export interface IndexSpec {
  name: string;
  key: Record<string, 1 | -1>;
  unique?: true;
  partialFilterExpression?: RawCommand;
  expireAfterSeconds?: number;
}

export interface MongoIndexOptions {
  /** How long a session or refresh token is kept after its `expiresAt` before MongoDB's TTL monitor deletes it. */
  expiredRetentionSeconds: number;
}

/** Kept long after expiry, so that the sessions list and reuse detection still see recently expired ones. */
export const DEFAULT_EXPIRED_RETENTION_SECONDS = 30 * 24 * 3600;

/** An expired rate-limit counter is kept an hour, as the limiter's own purge does, then deleted by MongoDB. */
export const RATE_LIMIT_RETENTION_SECONDS = 3600;

/** An expired MFA challenge is kept an hour (for the audit trail of a late attempt), then deleted by MongoDB. */
export const MFA_CHALLENGE_RETENTION_SECONDS = 3600;

/**
 * The indexes the store relies on, per collection. Names match prisma/mongodb/schema.prisma, so Prisma reports a
 * duplicate as P2002 with the index name as its target (see uniqueViolationField).
 */
export function mongoIndexes(options: MongoIndexOptions): Array<{ collection: string; indexes: IndexSpec[] }> {
  const ttl = options.expiredRetentionSeconds;
  return [
    {
      collection: "users",
      indexes: [
        { name: "users_email_key", key: { email: 1 }, unique: true },
        // Unique only among accounts that have one: documents whose username is null are not in the index, so any
        // number of accounts may go without (Prisma's @unique would index null too and let only one do so).
        { name: "users_username_key", key: { username: 1 }, unique: true, partialFilterExpression: { username: { $type: "string" } } },
      ],
    },
    {
      collection: "sessions",
      indexes: [
        { name: "sessions_userId_status_idx", key: { userId: 1, status: 1 } },
        { name: "sessions_status_expiresAt_idx", key: { status: 1, expiresAt: 1 } },
        { name: "sessions_endedAt_idx", key: { endedAt: 1 } },
        { name: "sessions_expiresAt_ttl", key: { expiresAt: 1 }, expireAfterSeconds: ttl },
      ],
    },
    {
      collection: "refresh_tokens",
      indexes: [
        { name: "refresh_tokens_sessionId_idx", key: { sessionId: 1 } },
        { name: "refresh_tokens_expiresAt_ttl", key: { expiresAt: 1 }, expireAfterSeconds: ttl },
      ],
    },
    {
      // rate-limiter-flexible's counters: created here so that the first attempts do not race to create the
      // collection, with a TTL on `expire` that also serves the limiter's own purge (`expire < now - 1 h`).
      // Counters without an expiry (null) are never deleted by it.
      collection: "rate_limits",
      indexes: [{ name: "rate_limits_expire_ttl", key: { expire: 1 }, expireAfterSeconds: RATE_LIMIT_RETENTION_SECONDS }],
    },
    // totp_credentials is keyed by the user's id (`_id`): no index of its own
    {
      collection: "recovery_codes",
      indexes: [{ name: "recovery_codes_userId_codeHash_key", key: { userId: 1, codeHash: 1 }, unique: true }],
    },
    {
      // an mfaToken lives minutes: gone an hour after it expired
      collection: "mfa_challenges",
      indexes: [
        { name: "mfa_challenges_userId_idx", key: { userId: 1 } },
        { name: "mfa_challenges_expiresAt_ttl", key: { expiresAt: 1 }, expireAfterSeconds: MFA_CHALLENGE_RETENTION_SECONDS },
      ],
    },
    {
      collection: "mail_tokens",
      indexes: [
        { name: "mail_tokens_userId_purpose_key", key: { userId: 1, purpose: 1 }, unique: true },
        // an expired token is useless: MongoDB deletes it as soon as its TTL monitor passes
        { name: "mail_tokens_expiresAt_ttl", key: { expiresAt: 1 }, expireAfterSeconds: 0 },
      ],
    },
    {
      collection: "mail_outbox",
      indexes: [
        { name: "mail_outbox_due_idx", key: { sentAt: 1, failedAt: 1, nextAttemptAt: 1 } },
        { name: "mail_outbox_createdAt_idx", key: { createdAt: 1 } },
      ],
    },
    {
      collection: "audit_events",
      indexes: [
        { name: "audit_events_userId_createdAt_idx", key: { userId: 1, createdAt: 1 } },
        { name: "audit_events_createdAt_idx", key: { createdAt: 1 } },
      ],
    },
  ];
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Creates the collections and indexes the store relies on; run at start-up, so no `prisma db push` is needed.
 * Idempotent: `createIndexes` does nothing for an index that exists as specified. When only a TTL changed
 * (a new retention), the index is altered in place with `collMod`.
 */
export async function ensureMongoIndexes(db: CommandRunner, options: MongoIndexOptions): Promise<void> {
  for (const { collection, indexes } of mongoIndexes(options)) {
    const create = { createIndexes: collection, indexes: indexes as unknown as RawCommand[] };
    try {
      await db.$runCommandRaw(create);
    } catch (error) {
      const ttlIndexes = indexes.filter((index) => index.expireAfterSeconds !== undefined);
      if (ttlIndexes.length === 0 || !/IndexOptionsConflict|\b85\b/.test(messageOf(error))) {
        throw new Error(`MongoDB: could not create the indexes of "${collection}": ${messageOf(error)}`, { cause: error });
      }
      try {
        for (const index of ttlIndexes) {
          await db.$runCommandRaw({ collMod: collection, index: { name: index.name, expireAfterSeconds: index.expireAfterSeconds! } });
        }
        await db.$runCommandRaw(create);
      } catch (retryError) {
        throw new Error(`MongoDB: could not update the indexes of "${collection}": ${messageOf(retryError)}`, { cause: retryError });
      }
    }
  }
}

/**
 * Refuses to start on a standalone server: Prisma runs transactions only on a replica set (or sharded cluster),
 * and the session limit and token rotation depend on them. The reply names the set (or says `msg: isdbgrid`
 * on mongos). Refuses a secondary too: with `directConnection=true` the driver talks to the one host named,
 * even when it is not the primary, and every write would then fail.
 */
export async function assertReplicaSet(db: CommandRunner): Promise<void> {
  // `hello` since MongoDB 4.4.2 / 5.0; its older name `isMaster` for the 4.2 servers Prisma 6 still supports.
  const reply = (await Promise.resolve(db.$runCommandRaw({ hello: 1 })).catch(() => db.$runCommandRaw({ isMaster: 1 }))) as {
    setName?: unknown;
    msg?: unknown;
    isWritablePrimary?: unknown;
    ismaster?: unknown;
  } | null;
  const member = reply !== null && typeof reply === "object" && (typeof reply.setName === "string" || reply.msg === "isdbgrid");
  if (!member) {
    throw new Error(
      "MongoDB: the server is not a replica set member; Prisma needs a replica set for transactions " +
        "(`docker compose up -d mongo` starts a single-node one; add ?replicaSet=rs0&directConnection=true to the URL)",
    );
  }
  if (reply.isWritablePrimary !== true && reply.ismaster !== true) {
    throw new Error(
      "MongoDB: the server is a replica set member but not the writable primary; point the URL at the primary, " +
        "or name the set (?replicaSet=…) without directConnection=true so the driver finds it",
    );
  }
}

/**
 * Start-up: refuses a server without transactions, then creates the collections and indexes. The first command
 * is also where a missing query engine shows; it is then said what to do.
 */
export async function prepareMongoDatabase(db: CommandRunner, options: MongoIndexOptions): Promise<void> {
  try {
    await assertReplicaSet(db);
  } catch (error) {
    if (!/could not locate the Query Engine/i.test(messageOf(error))) throw error;
    throw new Error(
      "MongoDB: Prisma's query engine is missing (generated offline?). Run `npm install` with network access, " +
        "or set PRISMA_QUERY_ENGINE_LIBRARY to a libquery_engine-*.so.node of Prisma 6.19 (README: MongoDB)",
      { cause: error },
    );
  }
  await ensureMongoIndexes(db, options);
}
