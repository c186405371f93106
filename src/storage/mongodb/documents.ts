import { randomUUID } from "node:crypto";
import type { AuditEvent, MfaChallenge, Prisma, RecoveryCode, RefreshToken, Session, TotpCredential, User } from "../../generated/mongodb/client.js";
import type { NewMfaChallenge } from "../../auth/ports/mfa-store.js";
import type { NewAuditEvent, NewRefreshToken, NewSession, NewUser } from "../../auth/ports/store.js";

/** The fields of model M that may hold null. */
type NullableKeys<M> = { [K in keyof M]-?: null extends M[K] ? K : never }[keyof M];

/**
 * Create data that names every nullable field of model M: Prisma's MongoDB `create` writes only the fields it
 * is given, and a field it leaves out is absent, which a later `{ field: null }` filter does not match (see the
 * rule in mongodb-store.ts). The compiler rejects a builder below that forgets one.
 */
type ExplicitCreate<Data, M> = Data & { [K in NullableKeys<M> & keyof Data]-?: Exclude<Data[K], undefined> };

/** The `users` document for a new account. */
export function userDocument(user: NewUser): ExplicitCreate<Prisma.UserCreateInput, User> {
  return {
    email: user.email,
    username: user.username,
    passwordHash: user.passwordHash,
    roles: user.roles,
    profile: user.profile as Prisma.InputJsonObject,
    disabledAt: null,
    emailVerifiedAt: user.emailVerifiedAt ?? null,
    securityStamp: randomUUID(),
  };
}

/** The `sessions` document for a session that starts now. */
export function sessionDocument(session: NewSession): ExplicitCreate<Prisma.SessionUncheckedCreateInput, Session> {
  return {
    id: session.id,
    userId: session.userId,
    status: "ACTIVE",
    createdAt: session.createdAt,
    lastUsedAt: session.createdAt,
    expiresAt: session.expiresAt,
    endedAt: null,
    userAgent: session.userAgent,
    ipAddress: session.ipAddress,
  };
}

/** The `refresh_tokens` document for a token not yet rotated. */
export function refreshTokenDocument(token: NewRefreshToken): ExplicitCreate<Prisma.RefreshTokenUncheckedCreateInput, RefreshToken> {
  return {
    id: token.id,
    sessionId: token.sessionId,
    secretHash: token.secretHash,
    createdAt: token.createdAt,
    expiresAt: token.expiresAt,
    rotatedAt: null,
    successorId: null,
    successorSecretSealed: null,
  };
}

/** The `audit_events` document for one event. */
export function auditEventDocument(event: NewAuditEvent): ExplicitCreate<Prisma.AuditEventCreateManyInput, AuditEvent> {
  return {
    userId: event.userId,
    sessionId: event.sessionId,
    actorId: event.actorId,
    type: event.type,
    outcome: event.outcome,
    ipAddress: event.ipAddress,
    userAgent: event.userAgent,
    detail: event.detail as Prisma.InputJsonObject,
    createdAt: event.createdAt,
  };
}

/** The `totp_credentials` document of a new, pending TOTP enrollment. */
export function totpCredentialDocument(userId: string, secretSealed: string, now: Date): ExplicitCreate<Prisma.TotpCredentialCreateInput, TotpCredential> {
  return { userId, secretSealed, enabledAt: null, lastUsedStep: null, createdAt: now };
}

/** The `recovery_codes` document of a new, unused recovery code. */
export function recoveryCodeDocument(userId: string, codeHash: string, now: Date): ExplicitCreate<Prisma.RecoveryCodeCreateManyInput, RecoveryCode> {
  return { userId, codeHash, usedAt: null, createdAt: now };
}

/** The `mfa_challenges` document of a new challenge (no attempt yet, unused). */
export function mfaChallengeDocument(challenge: NewMfaChallenge): ExplicitCreate<Prisma.MfaChallengeCreateInput, MfaChallenge> {
  return { ...challenge, attempts: 0, usedAt: null };
}

/**
 * A filter that matches a field that is null or absent: documents written before a field existed (or by an
 * older version that left it out) lack it, and `{ field: null }` alone matches an explicit null only.
 */
export function nullOrUnset<F extends string>(field: F): { OR: Array<Record<F, null | { isSet: false }>> } {
  return { OR: [{ [field]: null } as Record<F, null>, { [field]: { isSet: false } } as Record<F, { isSet: false }>] };
}
