import { createHash } from "node:crypto";
import { isIPv4, isIPv6 } from "node:net";
import ipaddr from "ipaddr.js";
import { AuthError } from "./errors.js";
import type { ClientInfo } from "./principal.js";

/** What a limiter says about a key: allowed (with how much was counted so far), or refused until later. */
export type RateLimitVerdict = { ok: true; consumed: number } | { ok: false; retryAfterSeconds: number };

/**
 * The port to a shared counter store (rate-limiter-flexible over the app's database). Implementations fail
 * closed: when the store cannot be reached they throw (StoreUnavailableError), never answer `ok: true`.
 */
export interface RateLimiter {
  /** Counts one event for `key`; refused once more than the rule's `points` were counted (and while blocked). */
  consume(key: string): Promise<RateLimitVerdict>;
  /** Whether `key` is over its limit now, counting nothing. */
  peek(key: string): Promise<RateLimitVerdict>;
  /** Forgets `key` (a success ends a run of consecutive failures). */
  reset(key: string): Promise<void>;
}

/** One limiter: at most `points` events per `durationSeconds`; going over blocks the key for `blockSeconds`. */
export interface RateLimitRule {
  /** Distinct per rule: it prefixes the keys in the shared store. */
  name: string;
  points: number;
  durationSeconds: number;
  /** 0: refused only until the window ends. */
  blockSeconds: number;
}

/** Creates limiters over one shared store; built by the storage layer from the database the app opened. */
export interface RateLimiterFactory {
  create(rule: RateLimitRule): RateLimiter;
  close(): Promise<void>;
}

/** The limits of one deployment (config `rateLimits`). */
export interface RateLimitSettings {
  enabled: boolean;
  /** Attempts at login, signUp, renewToken and changePassword per client address per minute, all together. */
  addressAttemptsPerMinute: number;
  /** The same attempts from all addresses together, per minute: one IPv6 /48 holds 65,536 /64 budgets. */
  globalAttemptsPerMinute: number;
  /** Failed logins per client address (over any accounts) per day, before the address is blocked for an hour. */
  addressFailuresPerDay: number;
  /** Consecutive failed logins of one account from one address (reset by a success); then blocked for the window. */
  loginFailures: number;
  /** Failed logins of one account from all addresses per window; then a short block, which spares known clients. */
  accountFailures: number;
  accountBlockSeconds: number;
  /** The window of the failure counters. */
  failureWindowSeconds: number;
  /** Sign-ups per client address per hour. */
  signUpsPerHour: number;
}

/** The limits the auth use cases apply; each method throws TOO_MANY_REQUESTS (with Retry-After) when over. */
export interface AuthRateLimits {
  /** Counts any attempt at a limited operation against the client address, before any work is done. */
  attempt(client: ClientInfo): Promise<void>;
  /** Counts a login attempt of the account from this address; refuses it while any of them is blocked. */
  beforeLogin(account: string, client: ClientInfo): Promise<void>;
  loginFailed(account: string, client: ClientInfo): Promise<void>;
  /** After a login or sign-up: ends the run of failures from this address and remembers it as a usual client. */
  loginSucceeded(account: string, client: ClientInfo): Promise<void>;
  /** Counts a sign-up against the client address and the email address it registers. */
  beforeSignUp(email: string, client: ClientInfo): Promise<void>;
  /** Counts a renewal of one of the account's sessions. */
  renewal(userId: string): Promise<void>;
  /**
   * Counts an attempt to prove the current password from one session: refused after RATE_LIMIT_LOGIN_FAILURES
   * without a success in that session, or RATE_LIMIT_ACCOUNT_FAILURES over all of the user's sessions. A stolen
   * access token thus blocks its own session quickly, not the owner's other devices.
   */
  beforePasswordChange(userId: string, sessionId?: string | null): Promise<void>;
  passwordChangeSucceeded(userId: string, sessionId?: string | null): Promise<void>;
}

/** The message of every TOO_MANY_REQUESTS: it never says which limit, nor whether the account exists. */
export const TOO_MANY_ATTEMPTS = "Too many attempts; try again later";

/** No limits: RATE_LIMIT_ENABLED=false (load tests) and the operator's command-line tool. */
export const NO_RATE_LIMITS: AuthRateLimits = {
  attempt: async () => {},
  beforeLogin: async () => {},
  loginFailed: async () => {},
  loginSucceeded: async () => {},
  beforeSignUp: async () => {},
  renewal: async () => {},
  beforePasswordChange: async () => {},
  passwordChangeSucceeded: async () => {},
};

const MINUTE = 60;
const HOUR = 3600;
const DAY = 86_400;
const KNOWN_CLIENT_SECONDS = 30 * DAY;
const RENEWALS_PER_MINUTE = 30;
const SIGN_UPS_PER_EMAIL_PER_HOUR = 5;

/**
 * Layered limits after OWASP's Authentication cheat sheet ("throttle, don't brick"):
 * - every attempt counts against the client address (a flood is cut off before any hashing);
 * - consecutive attempts of one account from one address without a success block that pair for the window; they
 *   are counted before the password is checked (atomically, so concurrent guesses cannot slip past) and
 *   forgotten on success;
 * - failures of one account from all addresses block it briefly, except for the clients it logged in from
 *   before, so a stranger's guessing never locks the owner out;
 * - failures from one address over many accounts (credential stuffing) block the address.
 * Accounts and logins are stored hashed; unknown and existing accounts are counted alike.
 */
export function createAuthRateLimits(factory: RateLimiterFactory, settings: RateLimitSettings): AuthRateLimits {
  if (!settings.enabled) return NO_RATE_LIMITS;
  const window = settings.failureWindowSeconds;
  // Counted after a failure: with points n-1 the n-th failure starts the block, and peek() refuses the next attempt.
  const failures = (name: string, allowed: number, durationSeconds: number, blockSeconds: number) =>
    factory.create({ name, points: Math.max(allowed - 1, 0), durationSeconds, blockSeconds });
  const address = factory.create({ name: "address", points: settings.addressAttemptsPerMinute, durationSeconds: MINUTE, blockSeconds: MINUTE });
  const everyone = factory.create({ name: "global", points: settings.globalAttemptsPerMinute, durationSeconds: MINUTE, blockSeconds: 0 });
  const addressFailures = failures("address-failures", settings.addressFailuresPerDay, DAY, HOUR);
  // Counted before the check: the (n+1)-th attempt without a success is refused and starts the block.
  const pairAttempts = factory.create({ name: "login-attempts", points: settings.loginFailures, durationSeconds: window, blockSeconds: window });
  const accountFailures = failures("account-failures", settings.accountFailures, window, settings.accountBlockSeconds);
  const knownClients = factory.create({ name: "known-clients", points: 1_000_000_000, durationSeconds: KNOWN_CLIENT_SECONDS, blockSeconds: 0 });
  const signUps = factory.create({ name: "sign-ups", points: settings.signUpsPerHour, durationSeconds: HOUR, blockSeconds: 0 });
  const signUpEmails = factory.create({ name: "sign-up-emails", points: SIGN_UPS_PER_EMAIL_PER_HOUR, durationSeconds: HOUR, blockSeconds: 0 });
  const renewals = factory.create({ name: "renewals", points: RENEWALS_PER_MINUTE, durationSeconds: MINUTE, blockSeconds: 0 });
  const passwordAttempts = factory.create({
    name: "password-change-attempts",
    points: settings.accountFailures,
    durationSeconds: window,
    blockSeconds: window,
  });
  const sessionPasswordAttempts = factory.create({
    name: "password-change-session",
    points: settings.loginFailures,
    durationSeconds: window,
    blockSeconds: window,
  });

  const pair = (account: string, client: ClientInfo) => `${hashKey(account)}|${addressKey(client.ipAddress)}`;

  return {
    async attempt(client) {
      // the address first: a flood from one address spends its own budget, not everyone's
      refuseIfOver(await address.consume(addressKey(client.ipAddress)));
      refuseIfOver(await everyone.consume("all"));
    },
    async beforeLogin(account, client) {
      const [accountVerdict, addressVerdict] = await Promise.all([accountFailures.peek(hashKey(account)), addressFailures.peek(addressKey(client.ipAddress))]);
      refuseIfOver(addressVerdict);
      if (!accountVerdict.ok) {
        // the account is under attack from elsewhere: its usual clients still get in
        const known = await knownClients.peek(pair(account, client));
        if (!(known.ok && known.consumed > 0)) refuseIfOver(accountVerdict);
      }
      // counted last, so an attempt another limit refused leaves no counter row behind (a storm of refused
      // attempts from rotating addresses would otherwise add one row each)
      refuseIfOver(await pairAttempts.consume(pair(account, client)));
    },
    async loginFailed(account, client) {
      // the failure is answered as such; the blocks these may start apply from the next attempt
      await Promise.all([accountFailures.consume(hashKey(account)), addressFailures.consume(addressKey(client.ipAddress))]);
    },
    async loginSucceeded(account, client) {
      await Promise.all([pairAttempts.reset(pair(account, client)), knownClients.consume(pair(account, client))]);
    },
    async beforeSignUp(email, client) {
      const verdicts = await Promise.all([signUps.consume(addressKey(client.ipAddress)), signUpEmails.consume(hashKey(email))]);
      verdicts.forEach(refuseIfOver);
    },
    async renewal(userId) {
      refuseIfOver(await renewals.consume(userId));
    },
    async beforePasswordChange(userId, sessionId) {
      const session = sessionId ? await sessionPasswordAttempts.consume(sessionId) : { ok: true as const, consumed: 0 };
      refuseIfOver(session); // a blocked session spends nothing of the user's allowance
      refuseIfOver(await passwordAttempts.consume(userId));
    },
    async passwordChangeSucceeded(userId, sessionId) {
      await Promise.all([passwordAttempts.reset(userId), sessionId ? sessionPasswordAttempts.reset(sessionId) : undefined]);
    },
  };
}

/** Throws TOO_MANY_REQUESTS (with Retry-After) for a refused verdict. */
export function refuseIfOver(verdict: RateLimitVerdict): void {
  if (!verdict.ok) throw new AuthError("RATE_LIMITED", TOO_MANY_ATTEMPTS, { retryAfterSeconds: verdict.retryAfterSeconds, logDetail: "rate limit" });
}

/** A fixed-length key for a login or email (the store never holds them in clear, and keys stay short). */
export function hashKey(value: string): string {
  return createHash("sha256").update(value).digest("base64url").slice(0, 32);
}

/**
 * The rate-limit key of a client address: IPv4 as is (also when IPv4-mapped), IPv6 by its /64 prefix,
 * since one subscriber usually holds a whole /64.
 */
export function addressKey(ipAddress: string | null): string {
  if (ipAddress === null) return "unknown";
  // node:net decides what is an address (strictly: no "127.1" or hex forms); ipaddr.js reads it
  const zoneless = ipAddress.split("%")[0]!;
  if (!isIPv4(zoneless) && !isIPv6(zoneless)) return `other:${hashKey(ipAddress)}`;
  const address = ipaddr.process(zoneless); // an IPv4-mapped IPv6 address becomes its IPv4 address
  if (address.kind() === "ipv4") return address.toString();
  return `${(address as ipaddr.IPv6).parts
    .slice(0, 4)
    .map((part) => part.toString(16))
    .join(":")}::/64`;
}
