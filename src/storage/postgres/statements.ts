import type pg from "pg";
import type { RefreshToken, Session, User } from "../../generated/postgresql/client.js";
import type { SessionRecord, UserRecord } from "../../auth/ports/store.js";
import { isUnavailableError } from "./errors.js";

// Every prepared statement the store runs on its pg pool directly, bypassing Prisma on the hot paths: a Prisma
// call costs ~1.2 ms of CPU in this process (its query compiler runs on every call), a prepared statement ~0.1 ms.
// A name is prepared once per connection; each name must keep one text. Row types come from Prisma's models, so
// the store's record mappers (records.ts) map these rows as they map Prisma's (pg parses json columns alike).

/** The columns of a UserRow, in the store's names. */
export const USER_COLUMNS = `id, email, username, password_hash AS "passwordHash", COALESCE(roles, '{}') AS roles, profile,
  disabled_at AS "disabledAt", email_verified_at AS "emailVerifiedAt", security_stamp AS "securityStamp", created_at AS "createdAt"`;
const SESSION_COLUMNS = `id, user_id AS "userId", status, created_at AS "createdAt", last_used_at AS "lastUsedAt",
  expires_at AS "expiresAt", ended_at AS "endedAt", user_agent AS "userAgent", ip_address AS "ipAddress"`;
const TOKEN_COLUMNS = `id, session_id AS "sessionId", secret_hash AS "secretHash", created_at AS "createdAt", expires_at AS "expiresAt",
  rotated_at AS "rotatedAt", successor_id AS "successorId", successor_secret_sealed AS "successorSecretSealed"`;

export type UserRow = Pick<User, keyof UserRecord>;
export type SessionRow = Pick<Session, keyof SessionRecord>;
export type RefreshTokenRow = RefreshToken;
/**
 * A row of SESSIONS_WITH_USERS: the session's columns, then its user's, with every timestamp as epoch
 * milliseconds (a float8, which pg reads with parseFloat) instead of text that postgres-date parses.
 */
export type SessionWithUserRow = Omit<SessionRow, "createdAt" | "lastUsedAt" | "expiresAt" | "endedAt"> &
  Pick<User, "email" | "username" | "passwordHash" | "roles" | "profile" | "securityStamp"> & {
    createdAt: number;
    lastUsedAt: number;
    expiresAt: number;
    endedAt: number | null;
    disabledAt: number | null;
    emailVerifiedAt: number | null;
    userCreatedAt: number;
  };

// The columns are timestamptz(3): whole milliseconds, exact in a float8.
const epochMs = (column: string, as: string) => `(extract(epoch from ${column}) * 1000)::float8 AS "${as}"`;

/** $1 uuid[]: the per-request session check, for any number of ids. */
export const SESSIONS_WITH_USERS = {
  name: "get-sessions-with-users",
  text: `SELECT s.id, s.user_id AS "userId", s.status, ${epochMs("s.created_at", "createdAt")}, ${epochMs("s.last_used_at", "lastUsedAt")},
      ${epochMs("s.expires_at", "expiresAt")}, ${epochMs("s.ended_at", "endedAt")}, s.user_agent AS "userAgent", s.ip_address AS "ipAddress",
      u.email, u.username, u.password_hash AS "passwordHash", COALESCE(u.roles, '{}') AS roles, u.profile,
      ${epochMs("u.disabled_at", "disabledAt")}, ${epochMs("u.email_verified_at", "emailVerifiedAt")}, u.security_stamp AS "securityStamp",
      ${epochMs("u.created_at", "userCreatedAt")}
    FROM sessions s JOIN users u ON u.id = s.user_id
    WHERE s.id = ANY($1::uuid[])`,
};

/** $1 login: the accounts whose email or username it is (at most one of each). */
export const USERS_BY_LOGIN = {
  name: "find-users-by-login",
  text: `SELECT ${USER_COLUMNS} FROM users WHERE email = $1::text OR username = $1::text LIMIT 2`,
};

/**
 * $1 user id: serialises this user's logins and security changes until commit. NO KEY UPDATE conflicts with itself,
 * UPDATE and DELETE, not with FK checks. Returns the row as committed by the previous lock holder.
 */
export const LOCK_USER = {
  name: "lock-user",
  text: `SELECT id, security_stamp AS "securityStamp", disabled_at AS "disabledAt" FROM users WHERE id = $1::uuid FOR NO KEY UPDATE`,
};

/** $1 user id, $2 verified hash, $3 new hash: the re-hash lands only while the verified hash is still stored. */
export const UPGRADE_PASSWORD_HASH = {
  name: "upgrade-password-hash",
  text: `UPDATE users SET password_hash = $3::text, updated_at = now() WHERE id = $1::uuid AND password_hash = $2::text`,
};

/**
 * $1 user id, $2 expected stamp (null: any), $3 new stamp, $4 new hash (null: unchanged), $5 disabledAt (null:
 * unchanged), $6 now. The UPDATE takes the row lock LOCK_USER takes, so it queues behind a login in progress.
 */
export const APPLY_SECURITY_CHANGE = {
  name: "apply-security-change",
  text: `UPDATE users SET security_stamp = $3::text, password_hash = COALESCE($4::text, password_hash),
      disabled_at = COALESCE($5::timestamptz, disabled_at), updated_at = $6::timestamptz
    WHERE id = $1::uuid AND ($2::text IS NULL OR security_stamp = $2::text)
    RETURNING ${USER_COLUMNS}`,
};

/** $1 user id, $2 status, $3 session id to keep (or null), $4 now: ends the user's other ACTIVE sessions. */
export const END_USER_SESSIONS = {
  name: "end-user-sessions",
  text: `UPDATE sessions SET status = $2::text::"SessionStatus", ended_at = $4::timestamptz
    WHERE user_id = $1::uuid AND status = 'ACTIVE' AND ($3::uuid IS NULL OR id <> $3::uuid)`,
};

/**
 * $1 token hash, $2 user id, $3 purpose, $4 verified email, $5 now: deletes the token if it is still this user's, for
 * this purpose and unexpired, and then marks the address verified if it is still the account's. No row when the
 * token was not deleted: the DELETE is the conditional write that only one of racing redemptions wins.
 */
export const REDEEM_SECURITY_TOKEN = {
  name: "redeem-security-token",
  text: `WITH redeemed AS (
      DELETE FROM mail_tokens WHERE token_hash = $1::text AND user_id = $2::uuid AND purpose = $3::text AND expires_at > $5::timestamptz
      RETURNING user_id)
    UPDATE users SET email_verified_at = CASE WHEN email = $4::text THEN $5::timestamptz ELSE email_verified_at END
    FROM redeemed WHERE users.id = redeemed.user_id
    RETURNING ${USER_COLUMNS}`,
};

/**
 * $1 user id, $2 the pending sealed secret, $3 step, $4 now: enables that secret, only while it is still the pending
 * one (a racing enrollment may have replaced it, or a racing confirmation enabled it).
 */
export const ENABLE_TOTP = {
  name: "enable-totp",
  text: `UPDATE totp_credentials SET enabled_at = $4::timestamptz, last_used_step = $3::int
    WHERE user_id = $1::uuid AND secret_sealed = $2::text AND enabled_at IS NULL`,
};

/** $1 user id: deletes the user's TOTP credential, enabled or pending. */
export const DELETE_TOTP = {
  name: "delete-totp",
  text: `DELETE FROM totp_credentials WHERE user_id = $1::uuid`,
};

/** $1 user id: deletes the user's recovery codes, used or not. */
export const DELETE_RECOVERY_CODES = {
  name: "delete-recovery-codes",
  text: `DELETE FROM recovery_codes WHERE user_id = $1::uuid`,
};

/** $1 user id, $2 uuid[] ids, $3 text[] code hashes (parallel to the ids), $4 now: stores unused recovery codes. */
export const INSERT_RECOVERY_CODES = {
  name: "insert-recovery-codes",
  text: `INSERT INTO recovery_codes (id, user_id, code_hash, used_at, created_at)
    SELECT code.id, $1::uuid, code.hash, NULL, $4::timestamptz FROM unnest($2::uuid[], $3::text[]) AS code(id, hash)`,
};

/** $1 user id: the user's ACTIVE sessions, oldest first. */
export const ACTIVE_SESSIONS = {
  name: "active-sessions",
  text: `SELECT ${SESSION_COLUMNS} FROM sessions WHERE user_id = $1::uuid AND status = 'ACTIVE' ORDER BY created_at, id`,
};

/**
 * $1 user id, $2 limit, $3/$4/$5 the cursor (active, createdAt, id) or nulls: one page of the user's sessions,
 * ACTIVE first, then newest first. Row comparison continues strictly after the cursor in that order.
 */
export const SESSIONS_PAGE = {
  name: "sessions-page",
  text: `SELECT ${SESSION_COLUMNS} FROM sessions
    WHERE user_id = $1::uuid AND ($3::boolean IS NULL OR (status = 'ACTIVE', created_at, id) < ($3::boolean, $4::timestamptz, $5::uuid))
    ORDER BY status = 'ACTIVE' DESC, created_at DESC, id DESC LIMIT $2::int`,
};

/** $1 uuid[], $2 now: ends those of the sessions that are still ACTIVE as REPLACED. */
export const REPLACE_SESSIONS = {
  name: "replace-sessions",
  text: `UPDATE sessions SET status = 'REPLACED', ended_at = $2::timestamptz WHERE id = ANY($1::uuid[]) AND status = 'ACTIVE'`,
};

/** $1 id, $2 user id, $3 createdAt (also lastUsedAt), $4 expiresAt, $5 userAgent, $6 ipAddress. */
export const INSERT_SESSION = {
  name: "insert-session",
  text: `INSERT INTO sessions (id, user_id, status, created_at, last_used_at, expires_at, user_agent, ip_address)
    VALUES ($1::uuid, $2::uuid, 'ACTIVE', $3::timestamptz, $3::timestamptz, $4::timestamptz, $5::text, $6::text)
    RETURNING ${SESSION_COLUMNS}`,
};

/** $1 id, $2 session id, $3 secretHash, $4 createdAt, $5 expiresAt. */
export const INSERT_REFRESH_TOKEN = {
  name: "insert-refresh-token",
  text: `INSERT INTO refresh_tokens (id, session_id, secret_hash, created_at, expires_at)
    VALUES ($1::text, $2::uuid, $3::text, $4::timestamptz, $5::timestamptz)
    RETURNING ${TOKEN_COLUMNS}`,
};

/** $1 id. */
export const REFRESH_TOKEN_BY_ID = {
  name: "find-refresh-token",
  text: `SELECT ${TOKEN_COLUMNS} FROM refresh_tokens WHERE id = $1::text`,
};

/** $1 session id, $2 expiresAt, $3 lastUsedAt: slides the session if it is still ACTIVE; returns it afterwards. */
export const SLIDE_SESSION = {
  name: "slide-session",
  text: `UPDATE sessions SET expires_at = $2::timestamptz, last_used_at = $3::timestamptz
    WHERE id = $1::uuid AND status = 'ACTIVE' RETURNING ${SESSION_COLUMNS}`,
};

/** $1 id, $2 rotatedAt, $3 successor id, $4 successor secret sealed: marks the token rotated unless it already is. */
export const MARK_TOKEN_ROTATED = {
  name: "mark-refresh-token-rotated",
  text: `UPDATE refresh_tokens SET rotated_at = $2::timestamptz, successor_id = $3::text, successor_secret_sealed = $4::text
    WHERE id = $1::text AND rotated_at IS NULL`,
};

/** Columns as parallel arrays ($1 … $10), one element per event: any number of events in one prepared insert. */
export const INSERT_AUDIT_EVENTS = {
  name: "insert-audit-events",
  text: `INSERT INTO audit_events (id, user_id, session_id, actor_id, type, outcome, ip_address, user_agent, detail, created_at)
    SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::text[], $6::text[], $7::text[], $8::text[],
      $9::jsonb[], $10::timestamptz[])`,
};

/** Runs `work` in a transaction on one pooled connection; rolls back on any error (a broken connection is discarded). */
export async function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  // a connection lost between two queries is reported by the next query; the pool listens only to idle ones
  let lost: Error | undefined;
  const onError = (error: Error): void => void (lost ??= error);
  client.on("error", onError);
  const release = (error?: Error): void => {
    client.removeListener("error", onError);
    client.release(error ?? lost);
  };
  try {
    await client.query("BEGIN");
    const result = await work(client);
    await client.query("COMMIT");
    release();
    return result;
  } catch (error) {
    // after a timeout the connection may still be waiting on a frozen server: drop it (PostgreSQL rolls back)
    // rather than queue a ROLLBACK behind the stuck statement for another timeout
    if (isUnavailableError(error)) release(error instanceof Error ? error : new Error(String(error)));
    else
      await client.query("ROLLBACK").then(
        () => release(),
        (rollbackError: Error) => release(rollbackError),
      );
    throw error;
  }
}
