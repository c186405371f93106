import { describe, expect, test } from "vitest";
import { createAuthDeps } from "../auth-deps.js";
import { loadConfig } from "../config.js";
import { silentLogger } from "../logger.js";
import { createMemoryStore } from "../storage/memory-store.js";
import { CLI_ACTOR } from "./actor.js";
import { createAuth } from "./auth.js";
import { AuthError } from "./errors.js";
import type { ClientInfo, Principal } from "./principal.js";
import { totpCodeAt } from "./totp.js";

const client: ClientInfo = { ipAddress: "203.0.113.7", userAgent: "unit" };
const password = "a long enough password for mfa";

/** An account with TOTP on, on a fake clock (10 s into a step), with the auth service over a memory store. */
async function setUp(env: Record<string, string> = {}) {
  let clock = new Date(Date.UTC(2030, 0, 1, 0, 0, 10));
  const store = createMemoryStore();
  const deps = createAuthDeps({
    config: loadConfig({ SESSION_LIMIT: "0", ...env }),
    jwtSecret: "unit-test-secret-0123456789abcdefghijklmnop",
    store,
    log: silentLogger,
    now: () => clock,
  });
  const auth = createAuth(deps);
  const user = await auth.createUser(CLI_ACTOR, { email: `mfa${Math.random()}@example.com`, password }, client);
  const { session } = await auth.login({ login: user.email, password }, client);
  const principal: Principal = { user, session };
  const { secret } = await auth.startTotpEnrollment(principal, client);
  const recoveryCodes = await auth.confirmTotpEnrollment(principal, totpCodeAt(secret, clock), client);
  return {
    auth,
    store,
    user,
    principal,
    secret,
    recoveryCodes,
    advance: (seconds: number) => void (clock = new Date(clock.getTime() + seconds * 1000)),
    code: (steps = 0) => totpCodeAt(secret, new Date(clock.getTime() + steps * 30_000)),
    /** The mfaToken a login with the right password answers. */
    async mfaToken(from: ClientInfo = client, endOtherSessions = false): Promise<string> {
      const refusal = await auth.login({ login: user.email, password, endOtherSessions }, from).then(
        () => null,
        (error: unknown) => error,
      );
      expect(refusal).toBeInstanceOf(AuthError);
      expect(refusal).toMatchObject({ code: "MFA_REQUIRED", reason: "MFA_REQUIRED" });
      return (refusal as AuthError).details.mfaToken!;
    },
  };
}

const reasonOf = (promise: Promise<unknown>) =>
  promise.then(
    () => "OK",
    (error: AuthError) => error.reason,
  );

describe("completeMfaLogin() @see issue 15", () => {
  test("an mfaToken expires after MFA_TOKEN_TTL (5 minutes by default)", async () => {
    const t = await setUp();
    const mfaToken = await t.mfaToken();
    t.advance(300);
    expect(await reasonOf(t.auth.completeMfaLogin({ mfaToken, code: t.code() }, client))).toBe("MFA_TOKEN_INVALID");
    const fresh = await t.mfaToken();
    t.advance(299);
    expect(await reasonOf(t.auth.completeMfaLogin({ mfaToken: fresh, code: t.code() }, client))).toBe("OK");
  });

  test("an mfaToken works only from the client address that proved the password", async () => {
    const t = await setUp();
    const mfaToken = await t.mfaToken();
    const elsewhere = { ...client, ipAddress: "198.51.100.9" };
    expect(await reasonOf(t.auth.completeMfaLogin({ mfaToken, code: t.code(1) }, elsewhere))).toBe("MFA_TOKEN_INVALID");
    expect(await reasonOf(t.auth.completeMfaLogin({ mfaToken, code: t.code(1) }, client))).toBe("OK");
  });

  test("a password change between the two steps voids the mfaToken", async () => {
    const t = await setUp();
    const mfaToken = await t.mfaToken();
    const current = { ...t.principal, user: (await t.store.findUserById(t.user.id))! }; // the stamp TOTP's confirmation set
    await t.auth.changePassword(current, { currentPassword: password, newPassword: "another long enough password" }, client);
    expect(await reasonOf(t.auth.completeMfaLogin({ mfaToken, code: t.code(1) }, client))).toBe("MFA_TOKEN_INVALID");
  });

  test("the code of the confirming step is spent; a code two steps ahead is refused; the next step's works once", async () => {
    const t = await setUp();
    expect(await reasonOf(t.auth.completeMfaLogin({ mfaToken: await t.mfaToken(), code: t.code() }, client))).toBe("INVALID_CODE");
    expect(await reasonOf(t.auth.completeMfaLogin({ mfaToken: await t.mfaToken(), code: t.code(2) }, client))).toBe("INVALID_CODE");
    expect(await reasonOf(t.auth.completeMfaLogin({ mfaToken: await t.mfaToken(), code: t.code(1) }, client))).toBe("OK");
    expect(await reasonOf(t.auth.completeMfaLogin({ mfaToken: await t.mfaToken(), code: t.code(1) }, client))).toBe("INVALID_CODE");
    t.advance(60);
    expect(await reasonOf(t.auth.completeMfaLogin({ mfaToken: await t.mfaToken(), code: t.code() }, client))).toBe("OK");
  });

  test("the session opens only at the second step, under the session limit, with the login's endOtherSessions", async () => {
    const t = await setUp({ SESSION_LIMIT: "1", SESSION_LIMIT_STRATEGY: "reject" });
    const before = (await t.store.listUserSessions(t.user.id)).length;
    expect(await reasonOf(t.auth.completeMfaLogin({ mfaToken: await t.mfaToken(), code: t.recoveryCodes[0]! }, client))).toBe("SESSION_LIMIT_REACHED");
    expect(await t.store.listUserSessions(t.user.id)).toHaveLength(before);
    const taken = await t.auth.completeMfaLogin({ mfaToken: await t.mfaToken(client, true), code: t.recoveryCodes[1]! }, client);
    expect(await t.store.getSession(t.principal.session.id)).toMatchObject({ status: "REPLACED" });
    expect(taken.session.status).toBe("ACTIVE");
  });

  test("turning TOTP on refuses a login that checked the password before, when it stores its session after @see issue 19", async () => {
    const store = createMemoryStore();
    const deps = createAuthDeps({
      config: loadConfig({ SESSION_LIMIT: "0" }),
      jwtSecret: "unit-test-secret-0123456789abcdefghijklmnop",
      store,
      log: silentLogger,
    });
    const auth = createAuth(deps);
    const user = await auth.createUser(CLI_ACTOR, { email: "race@example.com", password }, client);
    const { session } = await auth.login({ login: user.email, password }, client);
    const { secret } = await auth.startTotpEnrollment({ user, session }, client);
    // a login that read the account (and found TOTP off) before the confirmation, and stores its session after it
    const racing = await store.findUserByLogin(user.email);
    await auth.confirmTotpEnrollment({ user, session }, totpCodeAt(secret, new Date()), client);
    const late = await store.startSession(
      { id: crypto.randomUUID(), userId: user.id, createdAt: new Date(), expiresAt: new Date(Date.now() + 60_000), userAgent: null, ipAddress: null },
      { id: "late-token", sessionId: "x", secretHash: "h", createdAt: new Date(), expiresAt: new Date(Date.now() + 60_000) },
      () => ({ replace: [] }),
      new Date(),
      racing!.securityStamp,
    );
    expect(late).toEqual({ ok: false, reason: "ACCOUNT_CHANGED" });
  });
});
