import { DuplicateError, type UserRecord } from "./ports/store.js";
import { normalizeEmail, normalizeLogin, normalizeUsername, validateProfile, validateRoles } from "./account-input.js";
import { changeAccountSecurity } from "./account-security.js";
import { outboxMail } from "./account-mail.js";
import type { AuthDeps } from "./deps.js";
import { AuthError, INVALID_CREDENTIALS, badInput, sessionEnded } from "./errors.js";
import { requireSecondFactor } from "./mfa-login.js";
import { checkPasswordPolicy } from "./passwords.js";
import type { AuthResult, ClientInfo, Principal } from "./principal.js";
import { openSession } from "./sessions.js";

/** What a new account is made of; roles only when an administrator creates it. */
export interface NewAccount {
  email: string;
  password: string;
  username?: string | null;
  profile?: unknown;
  roles?: readonly string[] | null;
  /** An administrator vouches for the address. */
  emailVerified?: boolean | null;
}

/** Creates an account after checking its input and password policy; hashes the password. */
export async function createAccount(deps: AuthDeps, input: NewAccount, signal?: AbortSignal): Promise<UserRecord> {
  const email = normalizeEmail(input.email);
  const username = normalizeUsername(input.username);
  const profile = validateProfile(input.profile);
  const roles = validateRoles(input.roles);
  checkPasswordPolicy(input.password, deps.passwordPolicy, { email, username });
  const passwordHash = await deps.hasher.hash(input.password, signal);
  try {
    const emailVerifiedAt = input.emailVerified ? deps.now() : null;
    return await deps.store.createUser({ email, username, passwordHash, roles, profile, emailVerifiedAt });
  } catch (error) {
    if (error instanceof DuplicateError) {
      throw error.field === "email"
        ? badInput("EMAIL_TAKEN", "email", "Email address is already registered")
        : badInput("USERNAME_TAKEN", "username", "Username is already taken");
    }
    throw error;
  }
}

/** Self-service sign-up: creates the account (never with roles) and starts its first session. */
export async function signUp(deps: AuthDeps, input: Omit<NewAccount, "roles">, client: ClientInfo): Promise<AuthResult> {
  const limits = deps.rateLimits;
  await limits.attempt(client);
  await limits.beforeSignUp(normalizeEmail(input.email), client);
  const user = await createAccount(deps, { ...input, roles: [], emailVerified: false }, client.signal);
  await limits.loginSucceeded(rateLimitAccount(user.email), client); // its first usual client
  await deps.audit.record({ type: "SIGNED_UP", userId: user.id, client }, deps.now());
  return openSession(deps, user, client);
}

/** What a login asks for; `endOtherSessions`: with the `reject` strategy, end the other sessions instead of being refused. */
export interface LoginRequest {
  login: string;
  password: string;
  endOtherSessions?: boolean | null;
}

/** Logs in by email or username. Unknown account and wrong password fail alike, in message and in time. */
export async function login(deps: AuthDeps, input: LoginRequest, client: ClientInfo): Promise<AuthResult> {
  const limits = deps.rateLimits;
  // counted before any work, so a flood (or 50 aliased logins) is cut off before it costs hashes
  await countIfRefused(deps, () => limits.attempt(client), null, client);
  rejectOversizedPassword(deps, input.password, "password");
  const login = normalizeLogin(input.login);
  // no account has an implausible login (too long, control characters): don't even ask the database
  const user = isPlausibleLogin(login) ? await deps.store.findUserByLogin(login) : null;
  const account = rateLimitAccount(login);
  await countIfRefused(deps, () => limits.beforeLogin(account, client), user?.id ?? null, client);
  // an unknown account still costs one hash: no account enumeration by timing
  const valid = user
    ? await deps.hasher.verify(user.passwordHash, input.password, client.signal)
    : await deps.hasher.verifyAgainstDummy(input.password, client.signal);
  if (!user || !valid || user.disabledAt) {
    const reason = !user ? "unknown account" : !valid ? "wrong password" : "account disabled";
    await limits.loginFailed(account, client);
    await deps.audit.record({ type: "LOGIN", outcome: "FAILURE", userId: user?.id ?? null, client, detail: { reason } }, deps.now());
    throw new AuthError("INVALID_CREDENTIALS", INVALID_CREDENTIALS, { logDetail: reason });
  }
  await limits.loginSucceeded(account, client);
  if (deps.hasher.needsRehash(user.passwordHash)) await upgradeHash(deps, user, input.password);
  // with TOTP on, this throws MFA_REQUIRED: completeMfaLogin opens the session
  await requireSecondFactor(deps, user, client, { endOtherSessions: input.endOtherSessions === true });
  const result = await openSession(deps, user, client, { endOtherSessions: input.endOtherSessions === true });
  await deps.audit.record({ type: "LOGIN", userId: user.id, sessionId: result.session.id, client }, deps.now());
  return result;
}

/** Changes the caller's password and revokes every other session of theirs. */
export async function changePassword(
  deps: AuthDeps,
  principal: Principal,
  input: { currentPassword: string; newPassword: string },
  client: ClientInfo,
): Promise<number> {
  const { user } = principal;
  const limits = deps.rateLimits;
  await limits.attempt(client);
  rejectOversizedPassword(deps, input.currentPassword, "currentPassword");
  // a stolen access token must not become an oracle for the current password
  await limits.beforePasswordChange(user.id, principal.session.id);
  if (!(await deps.hasher.verify(user.passwordHash, input.currentPassword, client.signal))) {
    await deps.audit.record(
      { type: "PASSWORD_CHANGED", outcome: "FAILURE", userId: user.id, sessionId: principal.session.id, client, detail: { reason: "wrong current password" } },
      deps.now(),
    );
    throw badInput("WRONG_PASSWORD", "currentPassword", "Current password is incorrect");
  }
  await limits.passwordChangeSucceeded(user.id, principal.session.id);
  checkPasswordPolicy(input.newPassword, deps.passwordPolicy, { email: user.email, username: user.username }, "newPassword");
  const passwordHash = await deps.hasher.hash(input.newPassword, client.signal);
  // only while the account is as it was when the current password was checked against it
  const changed = await changeAccountSecurity(deps, user.id, { passwordHash, expectedStamp: user.securityStamp, keepSessionId: principal.session.id });
  if (!changed.ok) throw sessionEnded(null, `account changed during password change (${changed.reason})`);
  const revoked = changed.sessionsEnded;
  const now = deps.now();
  await deps.audit.record(
    { type: "PASSWORD_CHANGED", userId: user.id, sessionId: principal.session.id, client, detail: { otherSessionsRevoked: revoked } },
    now,
  );
  await queuePasswordChangedNotice(deps, user, now);
  return revoked;
}

/** Runs a rate-limit check; a refusal is counted (per account and address), not audited one row each. */
async function countIfRefused(deps: AuthDeps, check: () => Promise<void>, userId: string | null, client: ClientInfo): Promise<void> {
  try {
    await check();
  } catch (error) {
    if (error instanceof AuthError && error.reason === "RATE_LIMITED") deps.refusals.count("LOGIN", userId, client);
    throw error;
  }
}

/** Tells the owner their password changed (someone else may have done it); a failure to queue it is only logged. */
async function queuePasswordChangedNotice(deps: AuthDeps, user: UserRecord, now: Date): Promise<void> {
  const notice = outboxMail(deps.mail, user.id, { kind: "PASSWORD_CHANGED", to: user.email }, now);
  if (!notice) return;
  try {
    await deps.store.enqueueMails([notice]);
    deps.mail.queued();
  } catch (error) {
    // the password did change; the answer must say so
    deps.log.error("could not queue the password-changed notice", { userId: user.id, error });
  }
}

/**
 * The key a login attempt counts against: the login as typed (normalised), for known and unknown accounts alike.
 * An account's email and username count separately: one shared count would answer "these two name the same
 * account" with a 429 (issue 19). Each still has its own limit, so together they allow twice one login's guesses.
 */
function rateLimitAccount(login: string): string {
  return `login:${login}`;
}

const MAX_LOGIN_LENGTH = 254; // the longest email address accepted at sign-up

function isPlausibleLogin(login: string): boolean {
  return login.length > 0 && login.length <= MAX_LOGIN_LENGTH && !/[\u0000-\u001f]/.test(login);
}

/** PASSWORD_TOO_LONG before any hashing, for a password the caller presents. */
export function rejectOversizedPassword(deps: AuthDeps, password: string, field: string): void {
  const max = deps.passwordPolicy.maxLength;
  // checked before any hashing (the cheap UTF-16 bound first), so a huge password costs nothing
  if (password.length > max * 4 || [...password.normalize("NFKC")].length > max) {
    throw badInput("PASSWORD_TOO_LONG", field, `Password must be at most ${max} characters`);
  }
}

async function upgradeHash(deps: AuthDeps, user: UserRecord, password: string): Promise<void> {
  try {
    // conditional: a password change that committed since this login read the user keeps its new hash
    await deps.store.upgradePasswordHash(user.id, user.passwordHash, await deps.hasher.hash(password));
  } catch (error) {
    // the login itself succeeded; the upgrade is retried at the next login
    deps.log.warn("could not upgrade password hash", { userId: user.id, error });
  }
}
