import { describe, expect, test } from "vitest";
import { testDeps } from "../../test/support/auth-deps.js";
import { createAuth } from "./auth.js";
import type { AuthDeps } from "./deps.js";
import type { AuthError } from "./errors.js";
import type { ClientInfo } from "./principal.js";

/** The auth core's use cases on the memory store, with a clock the test moves: fast, and no HTTP in sight. */
const client: ClientInfo = { ipAddress: "203.0.113.9", userAgent: "unit" };
let counter = 0;

function setUp(env: Record<string, string> = {}) {
  let now = new Date("2026-12-01T12:00:00Z");
  const deps: AuthDeps = testDeps({ env, overrides: { now: () => now } });
  const auth = createAuth(deps);
  const advance = (seconds: number) => (now = new Date(now.getTime() + seconds * 1000));
  const credentials = () => {
    counter += 1;
    return { email: `person${counter}@example.com`, username: `person${counter}`, password: `a long passphrase number ${counter}` };
  };
  return { deps, auth, advance, credentials };
}

async function refusal(promise: Promise<unknown>): Promise<AuthError> {
  return promise.then(
    () => {
      throw new Error("expected a refusal");
    },
    (error: AuthError) => error,
  );
}

describe("accounts", () => {
  test("signUp() starts a session that authenticate() accepts; login() by email or username starts another", async () => {
    const { auth, credentials } = setUp({ SESSION_LIMIT: "0" });
    const creds = credentials();
    const signedUp = await auth.signUp(creds, client);
    expect((await auth.authenticate(signedUp.accessToken)).session.id).toBe(signedUp.session.id);
    const byUsername = await auth.login({ login: creds.username.toUpperCase(), password: creds.password }, client);
    expect(byUsername.session.id).not.toBe(signedUp.session.id);
    expect((await auth.authenticate(byUsername.accessToken)).user.id).toBe(signedUp.user.id);
  });

  test("login() refuses a wrong password and an unknown account with the same reason and message", async () => {
    const { auth, credentials } = setUp();
    const creds = credentials();
    await auth.signUp(creds, client);
    const wrong = await refusal(auth.login({ login: creds.email, password: "not the password at all" }, client));
    const unknown = await refusal(auth.login({ login: "nobody@example.com", password: "not the password at all" }, client));
    expect([wrong.reason, wrong.message]).toEqual([unknown.reason, unknown.message]);
    expect(wrong.reason).toBe("INVALID_CREDENTIALS");
  });

  test("changePassword() revokes the other sessions and keeps the caller's", async () => {
    const { auth, credentials } = setUp({ SESSION_LIMIT: "0" });
    const creds = credentials();
    const first = await auth.signUp(creds, client);
    const second = await auth.login({ login: creds.email, password: creds.password }, client);
    const caller = await auth.authenticate(second.accessToken);
    expect(await auth.changePassword(caller, { currentPassword: creds.password, newPassword: "an entirely new passphrase" }, client)).toBe(1);
    expect(await refusal(auth.authenticate(first.accessToken))).toMatchObject({ reason: "SESSION_ENDED", details: { sessionStatus: "REVOKED" } });
    await expect(auth.authenticate(second.accessToken)).resolves.toBeDefined();
  });
});

describe("sessions", () => {
  test("the default limit of one session replaces the older one (REPLACED)", async () => {
    const { auth, credentials } = setUp();
    const creds = credentials();
    const first = await auth.signUp(creds, client);
    await auth.login({ login: creds.email, password: creds.password }, client);
    expect(await refusal(auth.authenticate(first.accessToken))).toMatchObject({ reason: "SESSION_ENDED", details: { sessionStatus: "REPLACED" } });
  });

  test("renew() rotates the refresh token; the old one within the grace window gets the same successor", async () => {
    const { auth, credentials, advance } = setUp();
    const started = await auth.signUp(credentials(), client);
    const renewed = await auth.renew(started.refreshToken, client);
    expect(renewed.refreshToken).not.toBe(started.refreshToken);
    advance(5);
    const racer = await auth.renew(started.refreshToken, client);
    expect(racer.refreshToken).toBe(renewed.refreshToken);
  });

  test("renew() with a rotated token after the grace window revokes the session", async () => {
    const { auth, credentials, advance } = setUp();
    const started = await auth.signUp(credentials(), client);
    const renewed = await auth.renew(started.refreshToken, client);
    advance(60);
    expect(await refusal(auth.renew(started.refreshToken, client))).toMatchObject({ reason: "REFRESH_TOKEN_REUSED" });
    expect(await refusal(auth.renew(renewed.refreshToken, client))).toMatchObject({ reason: "SESSION_ENDED", details: { sessionStatus: "REVOKED" } });
  });

  test("logout() ends the session at once, though its access token has not expired", async () => {
    const { auth, credentials } = setUp();
    const started = await auth.signUp(credentials(), client);
    await auth.logout(await auth.authenticate(started.accessToken), client);
    expect(await refusal(auth.authenticate(started.accessToken))).toMatchObject({ reason: "SESSION_ENDED", details: { sessionStatus: "LOGGED_OUT" } });
  });
});

describe("authenticate()", () => {
  test("refuses an expired token with TOKEN_EXPIRED, and a session idle past its timeout as EXPIRED", async () => {
    const { auth, credentials, advance } = setUp({ SESSION_IDLE_TIMEOUT: "1h" });
    const started = await auth.signUp(credentials(), client);
    advance(16 * 60);
    expect(await refusal(auth.authenticate(started.accessToken))).toMatchObject({ reason: "TOKEN_EXPIRED" });
    advance(2 * 3600);
    const renewedLate = await refusal(auth.renew(started.refreshToken, client));
    expect(renewedLate).toMatchObject({ reason: "SESSION_ENDED", details: { sessionStatus: "EXPIRED" } });
  });

  test("refuses every token of a disabled user with ACCOUNT_UNAVAILABLE", async () => {
    const { auth, credentials } = setUp();
    const started = await auth.signUp(credentials(), client);
    await auth.disableUser({ system: "test" }, started.user.id, client);
    expect(await refusal(auth.authenticate(started.accessToken))).toMatchObject({ reason: "ACCOUNT_UNAVAILABLE" });
  });
});
