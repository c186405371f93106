import { randomUUID } from "node:crypto";
import type pg from "pg";
import {
  DuplicateError,
  type MailTokenPurpose,
  type MailTokenRecord,
  type MailTokenRedemption,
  type NewOutboxMail,
  type OutboxMailRecord,
  type RedeemMailTokenResult,
} from "../../auth/ports/store.js";
import { isUuid, toUserRecord } from "./records.js";
import { inTransaction, USER_COLUMNS, type UserRow } from "./statements.js";

// The mail tokens and the outbox on PostgreSQL, as plain SQL on the store's pool: each use case is one
// transaction of a few statements, so that a token exists only with its queued mail.

const TOKEN_COLUMNS = `token_hash AS "tokenHash", user_id AS "userId", purpose, email, created_at AS "createdAt", expires_at AS "expiresAt"`;
const OUTBOX_COLUMNS = `id, user_id AS "userId", kind, recipient AS "to", subject, text_body AS "text", html_body AS "html",
  created_at AS "createdAt", attempts, next_attempt_at AS "nextAttemptAt", sent_at AS "sentAt", failed_at AS "failedAt"`;

type Queryable = Pick<pg.PoolClient, "query">;

/** Queues mails with `client`, in its transaction if it has one. */
export async function insertMails(client: Queryable, mails: readonly NewOutboxMail[]): Promise<void> {
  if (mails.length === 0) return;
  const column = <T>(pick: (mail: NewOutboxMail) => T): T[] => mails.map(pick);
  await client.query(
    `INSERT INTO mail_outbox (id, user_id, kind, recipient, subject, text_body, html_body, created_at, next_attempt_at)
     SELECT id, user_id, kind, recipient, subject, text_body, html_body, created_at, created_at
     FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::timestamptz[])
       AS m(id, user_id, kind, recipient, subject, text_body, html_body, created_at)`,
    [
      column(() => randomUUID()),
      column((m) => m.userId),
      column((m) => m.kind),
      column((m) => m.to),
      column((m) => m.subject),
      column((m) => m.text),
      column((m) => m.html),
      column((m) => m.createdAt),
    ],
  );
}

/**
 * See Store.issueMailToken: replaces the user's token of that purpose and queues its mail in one transaction.
 */
export function issueMailToken(pool: pg.Pool, token: MailTokenRecord, mail: NewOutboxMail | null): Promise<void> {
  return inTransaction(pool, async (client) => {
    await client.query(
      `INSERT INTO mail_tokens (token_hash, user_id, purpose, email, created_at, expires_at)
       VALUES ($1, $2::uuid, $3, $4, $5, $6)
       ON CONFLICT (user_id, purpose) DO UPDATE SET token_hash = EXCLUDED.token_hash, email = EXCLUDED.email,
         created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at`,
      [token.tokenHash, token.userId, token.purpose, token.email, token.createdAt, token.expiresAt],
    );
    if (mail) await insertMails(client, [mail]);
  });
}

/** See Store.findMailToken. */
export async function findMailToken(pool: pg.Pool, tokenHash: string): Promise<MailTokenRecord | null> {
  const { rows } = await pool.query<MailTokenRecord & { purpose: MailTokenPurpose }>(`SELECT ${TOKEN_COLUMNS} FROM mail_tokens WHERE token_hash = $1`, [
    tokenHash,
  ]);
  return rows[0] ?? null;
}

/** See Store.redeemMailToken: the DELETE … RETURNING is the conditional write that only one racer wins. */
export async function redeemMailToken(pool: pg.Pool, r: MailTokenRedemption): Promise<RedeemMailTokenResult> {
  if (!isUuid(r.userId)) return { ok: false };
  try {
    return await inTransaction(pool, async (client): Promise<RedeemMailTokenResult> => {
      const deleted = await client.query(`DELETE FROM mail_tokens WHERE token_hash = $1 AND user_id = $2::uuid AND purpose = $3 AND expires_at > $4`, [
        r.tokenHash,
        r.userId,
        r.purpose,
        r.now,
      ]);
      if (deleted.rowCount === 0) return { ok: false };
      const updated = await client.query<UserRow>(
        `UPDATE users SET
           email = COALESCE($2, email),
           email_verified_at = CASE WHEN COALESCE($2, email) = $3 THEN $4::timestamptz ELSE email_verified_at END,
           updated_at = $4::timestamptz
         WHERE id = $1::uuid
         RETURNING ${USER_COLUMNS}`,
        [r.userId, r.newEmail ?? null, r.verifiedEmail, r.now],
      );
      const row = updated.rows[0];
      if (row === undefined) return { ok: false };
      await insertMails(client, r.mails);
      return { ok: true, user: toUserRecord(row) };
    });
  } catch (error) {
    // users_email_key: another account took the new address since the token was mailed
    if ((error as { code?: string; constraint?: string }).code === "23505" && /email/.test((error as { constraint?: string }).constraint ?? "")) {
      throw new DuplicateError("email");
    }
    throw error;
  }
}

/** See Store.deleteExpiredMailTokens. */
export async function deleteExpiredMailTokens(pool: pg.Pool, now: Date): Promise<number> {
  const { rowCount } = await pool.query(`DELETE FROM mail_tokens WHERE expires_at < $1`, [now]);
  return rowCount ?? 0;
}

/** See Store.enqueueMails. */
export async function enqueueMails(pool: pg.Pool, mails: readonly NewOutboxMail[]): Promise<void> {
  await insertMails(pool, mails);
}

/** See Store.claimOutboxMails: SKIP LOCKED lets workers of several instances take disjoint batches. */
export async function claimOutboxMails(pool: pg.Pool, now: Date, leaseUntil: Date, limit: number): Promise<OutboxMailRecord[]> {
  const { rows } = await pool.query<OutboxMailRecord>(
    `UPDATE mail_outbox SET next_attempt_at = $2 WHERE id IN (
       SELECT id FROM mail_outbox WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= $1
       ORDER BY next_attempt_at, created_at LIMIT $3 FOR UPDATE SKIP LOCKED)
     RETURNING ${OUTBOX_COLUMNS}`,
    [now, leaseUntil, limit],
  );
  return rows.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
}

/** See Store.markOutboxMailSent. */
export async function markOutboxMailSent(pool: pg.Pool, id: string, now: Date): Promise<void> {
  if (!isUuid(id)) return;
  await pool.query(`UPDATE mail_outbox SET sent_at = $2, text_body = NULL, html_body = NULL, last_error = NULL WHERE id = $1::uuid`, [id, now]);
}

/** See Store.markOutboxMailFailed. */
export async function markOutboxMailFailed(pool: pg.Pool, id: string, failure: { now: Date; retryAt: Date | null; error: string }): Promise<void> {
  if (!isUuid(id)) return;
  await pool.query(
    failure.retryAt
      ? `UPDATE mail_outbox SET attempts = attempts + 1, next_attempt_at = $2, last_error = $3 WHERE id = $1::uuid`
      : `UPDATE mail_outbox SET attempts = attempts + 1, failed_at = $2, last_error = $3, text_body = NULL, html_body = NULL WHERE id = $1::uuid`,
    [id, failure.retryAt ?? failure.now, failure.error.slice(0, 500)],
  );
}

/** See Store.pruneOutboxMails. */
export async function pruneOutboxMails(pool: pg.Pool, before: Date): Promise<number> {
  const { rowCount } = await pool.query(`DELETE FROM mail_outbox WHERE COALESCE(sent_at, failed_at) < $1`, [before]);
  return rowCount ?? 0;
}

/** See Store.findOutboxMail. */
export async function findOutboxMail(pool: pg.Pool, id: string): Promise<OutboxMailRecord | null> {
  if (!isUuid(id)) return null;
  const { rows } = await pool.query<OutboxMailRecord>(`SELECT ${OUTBOX_COLUMNS} FROM mail_outbox WHERE id = $1::uuid`, [id]);
  return rows[0] ?? null;
}

/** See Store.listOutboxMails. */
export async function listOutboxMails(pool: pg.Pool, to: string): Promise<OutboxMailRecord[]> {
  const { rows } = await pool.query<OutboxMailRecord>(`SELECT ${OUTBOX_COLUMNS} FROM mail_outbox WHERE recipient = $1 ORDER BY created_at DESC`, [to]);
  return rows;
}
