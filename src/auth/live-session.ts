import type { SessionRecord } from "./ports/store.js";
import { verifyAccessToken } from "./access-tokens.js";
import { authenticate } from "./authenticate.js";
import type { AuthDeps } from "./deps.js";
import { endedStatus, type EndedStatus, type SessionEvents } from "./session-events.js";
import type { Principal } from "./principal.js";

/** Why a long-lived connection must end. */
export type LiveSessionEnd =
  /** The session ended (anywhere): `session` carries its final status. */
  | { kind: "session-ended"; session: SessionRecord }
  /** The access token it was opened with expired; the session itself goes on. */
  | { kind: "token-expired" };

/** A long-lived connection's hold on the session it authenticated with. */
export interface LiveSession {
  principal: Principal;
  /** Settles once, with the first reason the connection must end. */
  readonly ended: Promise<LiveSessionEnd>;
  /** The end, once it is known (synchronously), else null. */
  readonly endedWith: LiveSessionEnd | null;
  /** Stops watching (the connection closed first). */
  release(): void;
}

// setTimeout's largest delay (~24.8 days); a later deadline is re-armed when this one fires
const MAX_TIMER_MS = 2_147_483_647;

/**
 * Opens a live session for a connection (a WebSocket) from its access token: the same check as every request,
 * then a watch that ends it when the session ends on any instance (through `events`), when its expiry or idle
 * deadline passes (it is then marked EXPIRED in the store, which tells every instance), or when the access token
 * expires. Throws the request's AuthError when the token is refused.
 */
export async function openLiveSession(deps: AuthDeps, events: SessionEvents, accessToken: string): Promise<LiveSession> {
  // watch before reading the session: an end committed after the read is then never missed
  const claims = verifyAccessToken(deps.accessTokens, accessToken, deps.now());
  let settle!: (end: LiveSessionEnd) => void;
  const ended = new Promise<LiveSessionEnd>((resolve) => (settle = resolve));
  let endedWith: LiveSessionEnd | null = null;
  let principal: Principal | null = null;
  let sessionTimer: NodeJS.Timeout | undefined;
  let tokenTimer: NodeJS.Timeout | undefined;
  let pendingStatus: EndedStatus | null = null;

  const release = () => {
    unwatch();
    clearTimeout(sessionTimer);
    clearTimeout(tokenTimer);
  };
  const finish = (end: LiveSessionEnd) => {
    if (endedWith) return;
    endedWith = end;
    release();
    settle(end);
  };
  const sessionEnded = async (status: EndedStatus) => {
    if (!principal) {
      pendingStatus = status; // still opening: applied once the principal is known
      return;
    }
    const known = principal.session;
    // the payload shows the session as stored now; a deleted one as last seen, with its final status
    const stored = await deps.store.getSession(known.id).catch(() => null);
    const session = stored && stored.status !== "ACTIVE" ? stored : { ...known, status, endedAt: known.endedAt ?? deps.now() };
    finish({ kind: "session-ended", session });
  };
  const unwatch = events.onSessionEnded(claims.sessionId, (status) => void sessionEnded(status));

  try {
    principal = await authenticate(deps, accessToken);
  } catch (error) {
    release();
    throw error;
  }

  const armTokenTimer = () => {
    const left = claims.expiresAt.getTime() - deps.now().getTime();
    tokenTimer = setTimeout(() => (left > MAX_TIMER_MS ? armTokenTimer() : finish({ kind: "token-expired" })), Math.min(Math.max(left, 0), MAX_TIMER_MS));
  };
  // the session's own expiry or idle deadline: re-read it then, since renewals slide it forward meanwhile
  const armSessionTimer = (session: SessionRecord) => {
    const left = sessionDeadline(session, deps.sessions.idleTimeoutSeconds).getTime() - deps.now().getTime();
    sessionTimer = setTimeout(() => void checkDeadline(), Math.min(Math.max(left, 0), MAX_TIMER_MS));
  };
  const checkDeadline = async () => {
    if (endedWith || !principal) return;
    const sessionId = principal.session.id;
    try {
      const found = await deps.lookupSession(sessionId);
      const status = endedStatus(found, deps.sessions.idleTimeoutSeconds, deps.now());
      if (status === null) return armSessionTimer(found!.session);
      // marking it EXPIRED announces the end to every instance (this one included)
      if (status === "EXPIRED") await deps.store.endSession(sessionId, "EXPIRED", deps.now());
      await sessionEnded(status);
    } catch (error) {
      deps.log.warn("could not check a live session's deadline; retrying", { sessionId, error });
      sessionTimer = setTimeout(() => void checkDeadline(), 5_000);
    }
  };

  armTokenTimer();
  armSessionTimer(principal.session);
  if (pendingStatus) await sessionEnded(pendingStatus);

  const live: LiveSession = {
    principal,
    ended,
    get endedWith() {
      return endedWith;
    },
    release,
  };
  return live;
}

/** When a session stops being usable unless it is used or renewed first: its expiry or its idle deadline. */
export function sessionDeadline(session: SessionRecord, idleTimeoutSeconds: number): Date {
  const expiry = session.expiresAt.getTime();
  if (idleTimeoutSeconds === 0) return new Date(expiry);
  return new Date(Math.min(expiry, session.lastUsedAt.getTime() + idleTimeoutSeconds * 1000));
}
