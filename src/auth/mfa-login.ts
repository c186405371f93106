import type { UserRecord } from "./ports/store.js";
import type { AuthDeps } from "./deps.js";
import { AuthError } from "./errors.js";
import { spendSecondFactor, wrongCode } from "./mfa-codes.js";
import { MFA_TOKEN_MAX_ATTEMPTS } from "./mfa-deps.js";
import type { AuthResult, ClientInfo } from "./principal.js";
// an mfaToken has the refresh token's shape: `<id>.<secret>`, only a hash of the secret stored
import { hashRefreshSecret, newRefreshToken, parseRefreshToken, refreshSecretMatches } from "./refresh-tokens.js";
import { addSeconds, openSession } from "./sessions.js";

/**
 * Login's hook: for an account with TOTP on, the right password yields MFA_REQUIRED with an mfaToken (single use,
 * bound to the account, the client address and the account's security stamp) instead of a session.
 */
export async function requireSecondFactor(deps: AuthDeps, user: UserRecord, client: ClientInfo, options: { endOtherSessions: boolean }): Promise<void> {
  const totp = await deps.store.mfa.findTotp(user.id);
  if (!totp?.enabledAt) return;
  const now = deps.now();
  const token = newRefreshToken();
  await deps.store.mfa.createMfaChallenge({
    id: token.id,
    userId: user.id,
    secretHash: hashRefreshSecret(token.secret),
    ipAddress: client.ipAddress,
    securityStamp: user.securityStamp,
    endOtherSessions: options.endOtherSessions,
    createdAt: now,
    expiresAt: addSeconds(now, deps.mfa.tokenTtlSeconds),
  });
  throw new AuthError("MFA_REQUIRED", "A second factor is required: call completeMfaLogin with the mfaToken and a code", { mfaToken: token.token });
}

/**
 * Login's second step: a current TOTP code (±1 step, never twice) or an unused recovery code, with the mfaToken
 * from the same client address. Only then a session opens, under the session limit as any login's does.
 */
export async function completeMfaLogin(deps: AuthDeps, input: { mfaToken: string; code: string }, client: ClientInfo): Promise<AuthResult> {
  await deps.rateLimits.attempt(client);
  const parsed = parseRefreshToken(input.mfaToken);
  const found = parsed && (await deps.store.mfa.findMfaChallenge(parsed.id));
  if (!parsed || !found || !refreshSecretMatches(parsed.secret, found.secretHash)) throw invalidMfaToken("unknown");
  if (found.ipAddress !== client.ipAddress) throw invalidMfaToken("other client address");
  const userId = found.userId;
  await deps.mfa.rateLimits.beforeCode(userId);
  // counted before the code is checked, so racing guesses share the token's five attempts
  const challenge = await deps.store.mfa.countMfaAttempt(found.id, MFA_TOKEN_MAX_ATTEMPTS, deps.now());
  if (!challenge) throw invalidMfaToken(found.usedAt ? "used" : found.expiresAt <= deps.now() ? "expired" : "exhausted");
  const user = await deps.store.findUserById(userId);
  // a password change or reset, disable, or TOTP change since the password step voids the token
  if (!user || user.securityStamp !== challenge.securityStamp) throw invalidMfaToken("account changed");
  const totp = await deps.store.mfa.findTotp(userId);
  if (!totp?.enabledAt) throw invalidMfaToken("TOTP turned off");

  const proved = await spendSecondFactor(deps, totp, input.code, client);
  if (!proved) throw await wrongCode(deps, userId, "login", client);
  if (!(await deps.store.mfa.consumeMfaChallenge(challenge.id, deps.now()))) throw invalidMfaToken("used by a racing request");
  await deps.audit.record({ type: "MFA_CODE", userId, client, detail: { purpose: "login", method: proved.method } }, deps.now());
  const result = await openSession(deps, user, client, { endOtherSessions: challenge.endOtherSessions });
  await deps.audit.record({ type: "LOGIN", userId, sessionId: result.session.id, client, detail: { secondFactor: proved.method } }, deps.now());
  return result;
}

function invalidMfaToken(logDetail: string): AuthError {
  return new AuthError("MFA_TOKEN_INVALID", "This sign-in step has expired or was already used; sign in again", { logDetail: `mfaToken ${logDetail}` });
}
