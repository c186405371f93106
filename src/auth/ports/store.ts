import type { MfaStore, TotpChange } from "./mfa-store.js";

/**
 * The storage port: every question the auth core asks of a database, and nothing else.
 * One implementation per provider (PostgreSQL, MongoDB) plus an in-memory one for fast tests;
 * all of them pass test/store-contract.ts unchanged.
 */

export type SessionStatus = "ACTIVE" | "LOGGED_OUT" | "REVOKED" | "REPLACED" | "EXPIRED";

/** A stored account. `passwordHash` never leaves the auth core. */
export interface UserRecord {
  id: string;
  /** Lower-cased; unique. */
  email: string;
  /** Lower-cased; unique when present. */
  username: string | null;
  passwordHash: string;
  roles: string[];
  profile: Record<string, unknown>;
  disabledAt: Date | null;
  /**
   * Changes whenever the account's credentials or standing change (password change or reset, disable, TOTP on or
   * off). A login stores its session only if the stamp it read before checking the password is still current.
   */
  securityStamp: string;
  /** When the account proved it receives mail at `email`; null while unverified. */
  emailVerifiedAt: Date | null;
  createdAt: Date;
}

/** A login session: one device's right to renew tokens. */
export interface SessionRecord {
  id: string;
  userId: string;
  status: SessionStatus;
  createdAt: Date;
  lastUsedAt: Date;
  /** When the current refresh token (and so the session) expires unless renewed. */
  expiresAt: Date;
  endedAt: Date | null;
  userAgent: string | null;
  ipAddress: string | null;
}

/** One issued refresh token. Only a hash of its secret is stored. */
export interface RefreshTokenRecord {
  id: string;
  sessionId: string;
  /** SHA-256 of the secret, hex. */
  secretHash: string;
  createdAt: Date;
  expiresAt: Date;
  /** Set when this token was exchanged for its successor. */
  rotatedAt: Date | null;
  successorId: string | null;
  /** The successor's secret, encrypted under a key only this token's holder can derive (grace window). */
  successorSecretSealed: string | null;
}

/** Something that happened to an account, kept for the user and administrators. Never holds a secret. */
export interface AuditEventRecord {
  id: string;
  /** Null when the login named no known account. */
  userId: string | null;
  sessionId: string | null;
  /** The principal who did it, when not the user themself (an ADMIN). */
  actorId: string | null;
  type: string;
  outcome: "SUCCESS" | "FAILURE";
  ipAddress: string | null;
  userAgent: string | null;
  /** Non-secret details (for example the reason of a failure). */
  detail: Record<string, unknown>;
  createdAt: Date;
}

export type NewAuditEvent = Omit<AuditEventRecord, "id">;

export interface NewUser {
  email: string;
  username: string | null;
  passwordHash: string;
  roles: string[];
  profile: Record<string, unknown>;
  /** Set when an administrator vouches for the address; absent means unverified. */
  emailVerifiedAt?: Date | null;
}

export interface NewSession {
  id: string;
  userId: string;
  createdAt: Date;
  expiresAt: Date;
  userAgent: string | null;
  ipAddress: string | null;
}

/** Where a page of sessions continues: the sort key of the last session of the previous page. */
export interface SessionCursor {
  active: boolean;
  createdAt: Date;
  id: string;
}

/** Compares sessions in page order (ACTIVE first, then newest first); negative when `a` comes first. */
export function comparePageOrder(a: SessionCursor, b: SessionCursor): number {
  return Number(b.active) - Number(a.active) || b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
}

/** The cursor of a session. */
export function cursorOf(session: SessionRecord): SessionCursor {
  return { active: session.status === "ACTIVE", createdAt: session.createdAt, id: session.id };
}

export type NewRefreshToken = Pick<RefreshTokenRecord, "id" | "sessionId" | "secretHash" | "createdAt" | "expiresAt">;

/**
 * Decides, from the user's sessions that are ACTIVE (as stored), which ones a new login ends.
 * Returns the ids to mark REPLACED, or "reject" to refuse the new login.
 */
export type SessionLimitDecision = (activeSessions: SessionRecord[]) => { replace: string[] } | "reject";

export type StartSessionResult =
  | { ok: true; session: SessionRecord; replaced: SessionRecord[] }
  | { ok: false; reason: "SESSION_LIMIT_REACHED" }
  /** The user is gone or disabled, or their security stamp is no longer the one the login read. */
  | { ok: false; reason: "ACCOUNT_CHANGED" };

/**
 * A change to a user's credentials or standing. Applied with a new security stamp and the end of the user's
 * sessions, atomically: no login that checked the old credentials can store a session afterwards.
 */
export interface SecurityChange {
  /** Apply only while the stamp is still this one (the caller checked something against it); null: always. */
  expectedStamp: string | null;
  passwordHash?: string;
  /** Sets (never clears) `disabledAt`. */
  disabledAt?: Date;
  /** How the user's ACTIVE sessions end, and the one to keep (the caller's own), if any. */
  endSessions: { status: Exclude<SessionStatus, "ACTIVE">; exceptSessionId: string | null };
  /**
   * Turns TOTP on or off in the same transaction. When its condition does not hold (TOTP_CHANGED) nothing at all
   * is written: the stamp, the sessions and the TOTP records stay as they were.
   */
  totp?: TotpChange;
  /**
   * Redeems a mailed token in the same transaction (a password reset), so the link is spent only together with
   * the change. When the token is no longer redeemable (TOKEN_SPENT) nothing at all is written: the stamp, the
   * password, the sessions and the token stay as they were.
   */
  redeem?: SecurityTokenRedemption;
}

/**
 * The mailed token a security change redeems (SecurityChange.redeem): deleted, the address marked verified and the
 * notices queued, with the change. The token must still be the changed user's, for `purpose`, and unexpired at
 * the change's `now`; of racing redemptions of one token exactly one applies.
 */
export type SecurityTokenRedemption = Pick<MailTokenRedemption, "tokenHash" | "purpose" | "verifiedEmail" | "mails">;

export type SecurityChangeResult =
  | { ok: true; user: UserRecord; sessionsEnded: number }
  | { ok: false; reason: "NOT_FOUND" | "STAMP_CHANGED" }
  /** `totp` could not apply: the pending enrollment is no longer the one to enable (replaced, or enabled already), or there is no TOTP to remove. */
  | { ok: false; reason: "TOTP_CHANGED" }
  /** `redeem` could not apply: the token was used, replaced, expired or never issued for this user and purpose. */
  | { ok: false; reason: "TOKEN_SPENT" };

export type RotateResult =
  | { ok: true; session: SessionRecord; token: RefreshTokenRecord }
  /** Another caller rotated this token first; `token` is its state now. */
  | { ok: false; reason: "ALREADY_ROTATED"; token: RefreshTokenRecord }
  /** The session is no longer ACTIVE, or the token does not exist. */
  | { ok: false; reason: "SESSION_ENDED" };

/** What a mailed token lets its holder do. */
export type MailTokenPurpose = "PASSWORD_RESET" | "EMAIL_VERIFICATION" | "EMAIL_CHANGE";

/** A mailed token. Only a hash of the token is stored; a user has at most one per purpose. */
export interface MailTokenRecord {
  /** SHA-256 of the token, hex. */
  tokenHash: string;
  userId: string;
  purpose: MailTokenPurpose;
  /** The address it was mailed to: the account's (reset, verification) or the new one (email change). */
  email: string;
  createdAt: Date;
  expiresAt: Date;
}

/** A mail to queue in the outbox. */
export interface NewOutboxMail {
  /** The account it concerns, for the audit log; null when none. */
  userId: string | null;
  /** What the mail is (PASSWORD_RESET, PASSWORD_CHANGED, …): for logs and audit events, never a secret. */
  kind: string;
  to: string;
  /** Empty, with null bodies, for a mail composed only at delivery (a password reset request, see account-recovery.ts). */
  subject: string;
  text: string | null;
  html: string | null;
  createdAt: Date;
}

/** A queued mail as the delivery worker sees it. */
export interface OutboxMailRecord {
  id: string;
  userId: string | null;
  kind: string;
  to: string;
  subject: string;
  /** Null once delivered or given up: the body may hold a link that must not outlive its purpose. */
  text: string | null;
  html: string | null;
  createdAt: Date;
  /** Failed delivery attempts so far. */
  attempts: number;
  nextAttemptAt: Date;
  sentAt: Date | null;
  failedAt: Date | null;
}

/** The effects of redeeming a mailed token, applied with its deletion in one transaction. */
export interface MailTokenRedemption {
  tokenHash: string;
  /** The token must still be this user's, for this purpose, and unexpired at `now`. */
  userId: string;
  purpose: MailTokenPurpose;
  now: Date;
  /** A new email address (email change); DuplicateError("email") when another account has it by then. */
  newEmail?: string;
  /** Marks the email verified, if the account's address (after `newEmail`) is this one. */
  verifiedEmail: string;
  /** Notices to queue (e.g. "your address was changed"). */
  mails: readonly NewOutboxMail[];
}

export type RedeemMailTokenResult =
  | { ok: true; user: UserRecord }
  /** Used, replaced, expired or never issued. */
  | { ok: false };

/** A unique field that a write collided on. */
export class DuplicateError extends Error {
  constructor(readonly field: "email" | "username") {
    super(`duplicate ${field}`);
    this.name = "DuplicateError";
  }
}

/** The database could not be reached or did not answer in time. */
export class StoreUnavailableError extends Error {
  constructor(options?: { cause?: unknown }) {
    super("database unavailable", options);
    this.name = "StoreUnavailableError";
  }
}

/** The storage port: the questions the auth core asks its database, one implementation per provider. */
export interface Store {
  /** The second factor's records (TOTP, recovery codes, login challenges). */
  readonly mfa: MfaStore;
  /** Creates a user; throws DuplicateError when the email or username is taken. */
  createUser(user: NewUser): Promise<UserRecord>;
  findUserById(id: string): Promise<UserRecord | null>;
  /** Finds a user by lower-cased email or username. */
  findUserByLogin(login: string): Promise<UserRecord | null>;
  /**
   * Replaces the password hash with a re-hash of the same password (stronger parameters), only while the stored
   * hash is still `verifiedHash`; returns whether it did. Concurrency: a conditional write, so a re-hash of an
   * old password never lands over a password change that committed after the login read the user.
   */
  upgradePasswordHash(userId: string, verifiedHash: string, passwordHash: string): Promise<boolean>;

  /**
   * Applies a password change, reset or disable, or turns TOTP on or off: a new security stamp, the change, the
   * redemption of a reset token if any, and the end of the user's ACTIVE sessions, in one transaction (all of it
   * or, on any failure, none of it).
   * Concurrency: serialised with startSession on the same per-user lock (row lock on PostgreSQL, a write of the
   * user document on MongoDB), so a racing login either committed before (its session is ended here) or sees
   * the new stamp and stores nothing.
   */
  applySecurityChange(userId: string, change: SecurityChange, now: Date): Promise<SecurityChangeResult>;

  /**
   * Loads sessions with their users, in one round trip, for the per-request check.
   * Missing ids are simply absent from the result.
   */
  getSessionsWithUsers(sessionIds: readonly string[]): Promise<Array<{ session: SessionRecord; user: UserRecord }>>;
  getSession(sessionId: string): Promise<SessionRecord | null>;

  /**
   * Creates a session and its first refresh token while enforcing the session limit.
   * Concurrency: serialised per user (a row lock on PostgreSQL, a write conflict on MongoDB), so two
   * logins racing for the last slot never both win; `decide` sees the sessions as they are under the lock.
   * Under that lock it also refuses (ACCOUNT_CHANGED) when the user is gone or disabled, or their security stamp
   * is not `expectedStamp`, the one read before the credentials were checked.
   */
  startSession(session: NewSession, token: NewRefreshToken, decide: SessionLimitDecision, now: Date, expectedStamp: string): Promise<StartSessionResult>;

  findRefreshToken(id: string): Promise<RefreshTokenRecord | null>;

  /**
   * Marks `oldTokenId` rotated and stores its successor, only if it is not rotated yet and its session is ACTIVE;
   * also slides the session's `expiresAt` / `lastUsedAt`.
   * Concurrency: a conditional write; of racing callers exactly one gets ok, the others ALREADY_ROTATED.
   */
  rotateRefreshToken(
    oldTokenId: string,
    successor: NewRefreshToken & { sealedForPredecessor: string },
    sessionExpiresAt: Date,
    now: Date,
  ): Promise<RotateResult>;

  /**
   * Moves a session to `status` if it is still ACTIVE. Returns the session as it is afterwards
   * (unchanged when it had already ended), or null when it does not exist.
   */
  endSession(sessionId: string, status: Exclude<SessionStatus, "ACTIVE">, now: Date): Promise<SessionRecord | null>;

  /** Every session of the user, newest first. Unbounded: for maintenance and tests; clients get listUserSessionsPage. */
  listUserSessions(userId: string): Promise<SessionRecord[]>;

  /**
   * One page of the user's sessions: the ACTIVE ones first, then the ended ones, each newest first
   * (createdAt, then id, descending); at most `limit`, after the session whose key is `after`.
   */
  listUserSessionsPage(userId: string, page: { limit: number; after: SessionCursor | null }): Promise<SessionRecord[]>;

  /** Ends every ACTIVE session of the user except `exceptSessionId`; returns how many ended. */
  endUserSessions(userId: string, status: Exclude<SessionStatus, "ACTIVE">, exceptSessionId: string | null, now: Date): Promise<number>;

  /** Clears `disabledAt` (disabling goes through applySecurityChange); returns the user afterwards, or null when missing. */
  enableUser(userId: string): Promise<UserRecord | null>;

  /** Deletes the user with their sessions and refresh tokens; returns false when missing. */
  deleteUser(userId: string): Promise<boolean>;

  /** Records when sessions were last used, in one write; an older time never overwrites a newer one. */
  touchSessions(entries: ReadonlyArray<{ sessionId: string; lastUsedAt: Date }>): Promise<void>;

  /**
   * Marks ACTIVE sessions whose `expiresAt` passed as EXPIRED and deletes sessions ended before `purgeBefore`. Also
   * deletes rotated refresh tokens whose own `expiresAt` passed, live sessions' included: such a token is refused
   * as expired before anything else is checked, so its row serves nothing (a renewed session would keep them all).
   */
  sweepSessions(now: Date, purgeBefore: Date): Promise<{ expired: number; purged: number }>;

  appendAuditEvents(events: readonly NewAuditEvent[]): Promise<void>;
  /** Newest first. */
  listAuditEvents(query: { userId: string | null; limit: number; before: Date | null }): Promise<AuditEventRecord[]>;
  /** Deletes events older than `before`; returns how many. */
  pruneAuditEvents(before: Date): Promise<number>;

  /**
   * Stores a mail token, replacing the user's older one of the same purpose, and queues its mail (if any), in
   * one transaction: a token exists only if its mail is queued (or is being delivered by the caller).
   */
  issueMailToken(token: MailTokenRecord, mail: NewOutboxMail | null): Promise<void>;
  findMailToken(tokenHash: string): Promise<MailTokenRecord | null>;
  /**
   * Deletes the token and applies `redemption`'s effects in one transaction (email verification and change; a
   * password reset redeems its token through applySecurityChange, with the change itself).
   * Concurrency: of racing redemptions of one token exactly one gets ok; an expired token is never redeemed.
   */
  redeemMailToken(redemption: MailTokenRedemption): Promise<RedeemMailTokenResult>;
  /** Deletes tokens expired before `now`; returns how many. */
  deleteExpiredMailTokens(now: Date): Promise<number>;

  /** Queues mails for delivery. */
  enqueueMails(mails: readonly NewOutboxMail[]): Promise<void>;
  /**
   * Takes up to `limit` mails due at `now` (not sent, not given up, `nextAttemptAt` ≤ now), oldest first, and
   * moves their `nextAttemptAt` to `leaseUntil` so that no other worker takes them meanwhile.
   * Concurrency: two workers racing never get the same mail.
   */
  claimOutboxMails(now: Date, leaseUntil: Date, limit: number): Promise<OutboxMailRecord[]>;
  /** Records a delivery and deletes the mail's bodies. */
  markOutboxMailSent(id: string, now: Date): Promise<void>;
  /**
   * Records a failed attempt: retried at `retryAt`, or given up (bodies deleted) when it is null.
   * `error` is a short, secret-free description.
   */
  markOutboxMailFailed(id: string, failure: { now: Date; retryAt: Date | null; error: string }): Promise<void>;
  /** Deletes mails delivered or given up before `before`; returns how many. */
  pruneOutboxMails(before: Date): Promise<number>;
  /** A queued mail by id (tests and operators; bodies null once delivered). */
  findOutboxMail(id: string): Promise<OutboxMailRecord | null>;
  /** The mails queued for an address, newest first (tests and operators). */
  listOutboxMails(to: string): Promise<OutboxMailRecord[]>;

  /** Cheap round trip for /readyz. */
  ping(): Promise<void>;
  /** The connection pool right now, for metrics; absent where the driver does not tell. */
  poolStats?(): { total: number; idle: number; waiting: number };
  close(): Promise<void>;
}

/** A `guard` for one provider: runs a database call, turning its connection failures into StoreUnavailableError. */
export function createGuard(isUnavailable: (error: unknown) => boolean) {
  return async function guard<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      if (isUnavailable(error) && !(error instanceof StoreUnavailableError)) throw new StoreUnavailableError({ cause: error });
      throw error;
    }
  };
}
