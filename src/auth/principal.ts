import type { SessionRecord, UserRecord } from "./ports/store.js";

/** Who is calling: the checked user and session behind a valid access token. */
export interface Principal {
  user: UserRecord;
  session: SessionRecord;
}

/** Where a request came from; recorded with sessions and audit events. */
export interface ClientInfo {
  ipAddress: string | null;
  userAgent: string | null;
  /** Aborted when the client has gone (its connection closed before the answer): queued hashing is skipped. */
  signal?: AbortSignal;
}

/** What signUp, login and renew hand back to the client. */
export interface AuthResult {
  accessToken: string;
  accessTokenExpiresAt: Date;
  /** The opaque refresh token in plain text: returned once, stored only as a hash. */
  refreshToken: string;
  refreshTokenExpiresAt: Date;
  user: UserRecord;
  session: SessionRecord;
}
