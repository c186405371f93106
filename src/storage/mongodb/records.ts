import type { AuditEvent, Prisma, RefreshToken, Session, User } from "../../generated/mongodb/client.js";
import { nullOrUnset } from "./documents.js";
import type { AuditEventRecord, RefreshTokenRecord, SessionRecord, UserRecord } from "../../auth/ports/store.js";

/** A JSON object as a plain object; anything else (null, arrays, a scalar) as {}. */
function toObject(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? { ...(value as Record<string, unknown>) } : {};
}

/** Maps a `users` document to the port's record (drops fields the port does not know: updatedAt, loginSerial). */
export function toUserRecord(row: User): UserRecord {
  return {
    id: row.id,
    email: row.email,
    username: row.username ?? null,
    passwordHash: row.passwordHash,
    roles: [...(row.roles ?? [])],
    profile: toObject(row.profile),
    disabledAt: row.disabledAt ?? null,
    securityStamp: row.securityStamp ?? LEGACY_STAMP,
    // documents written before email verification existed lack the field
    emailVerifiedAt: row.emailVerifiedAt ?? null,
    createdAt: row.createdAt,
  };
}

/** The stamp of a user document written before stamps existed (the field is missing or null). */
export const LEGACY_STAMP = "";

/** A filter matching a user whose stamp is `stamp`; the legacy stamp matches a missing or null field. */
export function stampFilter(stamp: string): Prisma.UserWhereInput {
  return stamp === LEGACY_STAMP ? nullOrUnset("securityStamp") : { securityStamp: stamp };
}

/** Maps a `sessions` document to the port's record. */
export function toSessionRecord(row: Session): SessionRecord {
  return {
    id: row.id,
    userId: row.userId,
    status: row.status,
    createdAt: row.createdAt,
    lastUsedAt: row.lastUsedAt,
    expiresAt: row.expiresAt,
    endedAt: row.endedAt ?? null,
    userAgent: row.userAgent ?? null,
    ipAddress: row.ipAddress ?? null,
  };
}

/** Maps a `refresh_tokens` document to the port's record. */
export function toRefreshTokenRecord(row: RefreshToken): RefreshTokenRecord {
  return {
    id: row.id,
    sessionId: row.sessionId,
    secretHash: row.secretHash,
    createdAt: row.createdAt,
    expiresAt: row.expiresAt,
    rotatedAt: row.rotatedAt ?? null,
    successorId: row.successorId ?? null,
    successorSecretSealed: row.successorSecretSealed ?? null,
  };
}

/** Maps an `audit_events` document to the port's record. */
export function toAuditEventRecord(row: AuditEvent): AuditEventRecord {
  return {
    id: row.id,
    userId: row.userId ?? null,
    sessionId: row.sessionId ?? null,
    actorId: row.actorId ?? null,
    type: row.type,
    outcome: row.outcome === "SUCCESS" ? "SUCCESS" : "FAILURE",
    ipAddress: row.ipAddress ?? null,
    userAgent: row.userAgent ?? null,
    detail: toObject(row.detail),
    createdAt: row.createdAt,
  };
}
