import type { Auth } from "../auth/auth.js";
import { AuthError } from "../auth/errors.js";
import type { ClientInfo, Principal } from "../auth/principal.js";
import type { GuardRule } from "./guards/guard.js";
import { createGuardRules } from "./guards/guard-rules.js";
import type { SessionRecord } from "../auth/ports/store.js";

/** What every resolver receives. */
export interface GraphQLContext {
  auth: Auth;
  client: ClientInfo;
  /** The bearer token as sent, or null; public operations never look at it. */
  accessToken: string | null;
  /** The checked caller, memoised per request; throws UNAUTHENTICATED when there is none. */
  principal(): Promise<Principal>;
  /** What every guarded field checks after authentication (role, and any deployment-wide rule). */
  guardRules: readonly GuardRule[];
  /** The WebSocket this operation runs on; absent over HTTP. */
  socket?: SocketLink;
  /**
   * Makes the rest of the operation act as the session a mutation has just issued, so every field of its
   * AuthPayload answers as seen by that session, whatever token (none, expired, someone else's) came in.
   */
  actAs(principal: Principal): void;
}

/** What a subscription resolver may ask of its WebSocket. */
export interface SocketLink {
  /** Yields the socket's session once, with its final status, when it ends; then the socket closes (4401). */
  sessionEnded(): AsyncIterable<SessionRecord>;
}

/** Builds a request's context; the token is checked only when a resolver asks for the principal. */
export function createContext(options: {
  auth: Auth;
  client: ClientInfo;
  authorization: string | undefined;
  guardRules?: readonly GuardRule[];
}): GraphQLContext {
  const accessToken = bearerToken(options.authorization);
  let principal: Promise<Principal> | undefined;
  return {
    auth: options.auth,
    client: options.client,
    accessToken,
    guardRules: options.guardRules ?? DEFAULT_RULES,
    principal() {
      principal ??= accessToken === null ? Promise.reject(new AuthError("TOKEN_MISSING", "Authentication required")) : options.auth.authenticate(accessToken);
      return principal;
    },
    actAs(issued) {
      principal = Promise.resolve(issued);
    },
  };
}

const DEFAULT_RULES = createGuardRules();

/** The token of an `Authorization: Bearer …` value; a malformed value counts as a token that will fail verification. */
export function bearerToken(header: string | undefined): string | null {
  const match = header ? /^Bearer[ ]+(\S+)\s*$/i.exec(header) : null;
  // a malformed header counts as a token that will fail verification, not as no header at all
  return match?.[1] ?? (header ? header : null);
}
