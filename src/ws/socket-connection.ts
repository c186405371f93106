import type { Auth } from "../auth/auth.js";
import { AuthError, sessionEnded, tokenExpired } from "../auth/errors.js";
import type { LiveSession } from "../auth/live-session.js";
import type { ClientInfo, Principal } from "../auth/principal.js";
import type { GraphQLContext, SocketLink } from "../graphql/context.js";
import type { GuardRule } from "../graphql/guards/guard.js";
import type { SessionRecord } from "../auth/ports/store.js";

// How long the close waits for `sessionEnded` to reach the client before closing anyway (well inside 1 s).
const DELIVERY_WAIT_MS = 300;

/**
 * One WebSocket's state: anonymous, or bound to the live session it authenticated with. It hands
 * `sessionEnded` its event, and builds each operation's context.
 */
export class SocketConnection implements SocketLink {
  private readonly deliveries = new Set<Promise<void>>();
  private markClosed!: () => void;
  private readonly closed = new Promise<null>((resolve) => (this.markClosed = () => resolve(null)));

  constructor(
    private readonly auth: Auth,
    readonly client: ClientInfo,
    /** The bearer token of `connection_init`, or null for an anonymous socket. */
    private readonly accessToken: string | null,
    readonly live: LiveSession | null,
  ) {}

  /** Yields the session once when it ends (not when only the access token expires), then returns. */
  sessionEnded(): AsyncIterable<SessionRecord> {
    let delivered!: () => void;
    const delivery = new Promise<void>((resolve) => (delivered = resolve));
    this.deliveries.add(delivery);
    const { live, closed } = this;
    return (async function* () {
      try {
        const end = live ? await Promise.race([live.ended, closed]) : null;
        // the generator resumes after the consumer sent the event: only then is it delivered
        if (end?.kind === "session-ended") yield end.session;
      } finally {
        delivered();
      }
    })();
  }

  /** Waits (briefly) until every `sessionEnded` subscription has sent its event. */
  async sessionEndDelivered(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const cap = new Promise<void>((resolve) => (timer = setTimeout(resolve, DELIVERY_WAIT_MS)));
    await Promise.race([Promise.all(this.deliveries), cap]);
    clearTimeout(timer);
  }

  /** The socket closed: stops watching the session and ends pending subscriptions. */
  closeDown(): void {
    this.live?.release();
    this.markClosed();
  }

  /**
   * An operation's context. The principal is checked afresh at every call (each subscription event), so an
   * `@Authorized` subscription stops at its next event once its session or user is refused.
   */
  createContext(guardRules: readonly GuardRule[]): GraphQLContext {
    const { auth, client, accessToken, live } = this;
    let issued: Principal | null = null;
    return {
      auth,
      client,
      accessToken,
      guardRules,
      socket: this,
      principal(): Promise<Principal> {
        if (issued) return Promise.resolve(issued);
        if (accessToken === null || live === null) return Promise.reject(new AuthError("TOKEN_MISSING", "Authentication required"));
        const end = live.endedWith;
        if (end) return Promise.reject(end.kind === "token-expired" ? tokenExpired() : sessionEnded(end.session.status));
        return auth.authenticate(accessToken);
      },
      actAs(principal) {
        issued = principal; // a mutation sent over the socket answers its AuthPayload as the session it issued
      },
    };
  }
}
