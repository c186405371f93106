import type { AuditEvent, RefreshToken, Session, User } from "../../generated/postgresql/client.js";
import type { AuditEventRecord, RefreshTokenRecord, SessionRecord, UserRecord } from "../../auth/ports/store.js";
import type { SessionWithUserRow } from "./statements.js";

/** Matches the text form of a PostgreSQL uuid; other ids can name no row (and would make PostgreSQL throw). */
export function isUuid(id: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id);
}

function toObject(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? { ...(value as Record<string, unknown>) } : {};
}

/** Maps a `users` row to the port's record (drops columns the port does not know, such as updatedAt). */
export function toUserRecord(row: Pick<User, keyof UserRecord>): UserRecord {
  return {
    id: row.id,
    email: row.email,
    username: row.username,
    passwordHash: row.passwordHash,
    roles: [...(row.roles ?? [])],
    profile: toObject(row.profile),
    disabledAt: row.disabledAt,
    securityStamp: row.securityStamp,
    emailVerifiedAt: row.emailVerifiedAt ?? null,
    createdAt: row.createdAt,
  };
}

/** Maps a `sessions` row to the port's record (from Prisma or from the hot path's own query). */
export function toSessionRecord(row: Pick<Session, keyof SessionRecord>): SessionRecord {
  return {
    id: row.id,
    userId: row.userId,
    status: row.status,
    createdAt: row.createdAt,
    lastUsedAt: row.lastUsedAt,
    expiresAt: row.expiresAt,
    endedAt: row.endedAt,
    userAgent: row.userAgent,
    ipAddress: row.ipAddress,
  };
}

/** Maps a row of the per-request session check (timestamps in epoch ms); a fresh row, so nothing is copied. */
export function toSessionWithUser(row: SessionWithUserRow): { session: SessionRecord; user: UserRecord } {
  const profile = row.profile;
  return {
    session: {
      id: row.id,
      userId: row.userId,
      status: row.status,
      createdAt: new Date(row.createdAt),
      lastUsedAt: new Date(row.lastUsedAt),
      expiresAt: new Date(row.expiresAt),
      endedAt: row.endedAt === null ? null : new Date(row.endedAt),
      userAgent: row.userAgent,
      ipAddress: row.ipAddress,
    },
    user: {
      id: row.userId,
      email: row.email,
      username: row.username,
      passwordHash: row.passwordHash,
      roles: row.roles ?? [],
      profile: profile !== null && typeof profile === "object" && !Array.isArray(profile) ? (profile as Record<string, unknown>) : {},
      disabledAt: row.disabledAt === null ? null : new Date(row.disabledAt),
      emailVerifiedAt: row.emailVerifiedAt === null ? null : new Date(row.emailVerifiedAt),
      securityStamp: row.securityStamp,
      createdAt: new Date(row.userCreatedAt),
    },
  };
}

/** Maps a `refresh_tokens` row to the port's record. */
export function toRefreshTokenRecord(row: RefreshToken): RefreshTokenRecord {
  return {
    id: row.id,
    sessionId: row.sessionId,
    secretHash: row.secretHash,
    createdAt: row.createdAt,
    expiresAt: row.expiresAt,
    rotatedAt: row.rotatedAt,
    successorId: row.successorId,
    successorSecretSealed: row.successorSecretSealed,
  };
}

/** Maps an `audit_events` row to the port's record. */
export function toAuditEventRecord(row: AuditEvent): AuditEventRecord {
  return {
    id: row.id,
    userId: row.userId,
    sessionId: row.sessionId,
    actorId: row.actorId,
    type: row.type,
    outcome: row.outcome === "SUCCESS" ? "SUCCESS" : "FAILURE",
    ipAddress: row.ipAddress,
    userAgent: row.userAgent,
    detail: toObject(row.detail),
    createdAt: row.createdAt,
  };
}
