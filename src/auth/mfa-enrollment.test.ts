import { describe, expect, test } from "vitest";
import { storeFailingNextSecurityChange, testDeps } from "../../test/support/auth-deps.js";
import { CLI_ACTOR } from "./actor.js";
import { createAuth } from "./auth.js";
import type { AuthError } from "./errors.js";
import { StoreUnavailableError } from "./ports/store.js";
import type { ClientInfo, Principal } from "./principal.js";
import { totpCodeAt } from "./totp.js";

const client: ClientInfo = { ipAddress: "203.0.113.7", userAgent: "unit" };
const password = "a long enough password for totp changes";

/**
 * A user with two sessions (the caller's and another device's) and a pending TOTP enrollment, over a memory store
 * whose next security change can be made to fail as a database outage would: before anything is written.
 */
async function setUp() {
  let clock = new Date(Date.UTC(2030, 0, 1, 0, 0, 10));
  const { store, failNextChange } = storeFailingNextSecurityChange();
  const deps = testDeps({ env: { SESSION_LIMIT: "0" }, overrides: { store }, now: () => clock });
  const auth = createAuth(deps);
  const user = await auth.createUser(CLI_ACTOR, { email: `totp${Math.random()}@example.com`, password }, client);
  const { session } = await auth.login({ login: user.email, password }, client);
  const { session: other } = await auth.login({ login: user.email, password }, client);
  const principal: Principal = { user, session };
  const { secret } = await auth.startTotpEnrollment(principal, client);
  return {
    auth,
    store,
    user,
    principal,
    other,
    failNextChange,
    advance: (seconds: number) => void (clock = new Date(clock.getTime() + seconds * 1000)),
    code: () => totpCodeAt(secret, clock),
    stamp: async () => (await store.findUserById(user.id))?.securityStamp,
    /** Another device's session once TOTP is on: the password, then a code of the next step. */
    async loginWithCode() {
      const mfaToken = await auth.login({ login: user.email, password }, client).then(
        () => expect.fail("a login of an account with TOTP needs a code"),
        (error: AuthError) => error.details.mfaToken!,
      );
      clock = new Date(clock.getTime() + 30_000);
      return (await auth.completeMfaLogin({ mfaToken, code: totpCodeAt(secret, clock) }, client)).session;
    },
  };
}

/**
 * The TOTP change and the stamp rotation with its session ends used to be two store calls: an outage between them
 * left TOTP changed, and a retry was refused ("already on" / "not on"), so the other sessions never ended.
 */
describe("TOTP on and off are one store call with the stamp rotation and the session ends", () => {
  test("a confirmation that fails changes nothing, and its retry turns TOTP on and ends the other sessions", async () => {
    const t = await setUp();
    const stamp = await t.stamp();
    t.failNextChange();
    await expect(t.auth.confirmTotpEnrollment(t.principal, t.code(), client)).rejects.toThrow(StoreUnavailableError);
    expect((await t.store.mfa.findTotp(t.user.id))?.enabledAt).toBeNull();
    expect(await t.stamp()).toBe(stamp);
    expect(await t.store.getSession(t.other.id)).toMatchObject({ status: "ACTIVE" });

    expect(await t.auth.confirmTotpEnrollment(t.principal, t.code(), client)).toHaveLength(10);
    expect((await t.store.mfa.findTotp(t.user.id))?.enabledAt).not.toBeNull();
    expect(await t.stamp()).not.toBe(stamp);
    expect(await t.store.getSession(t.other.id)).toMatchObject({ status: "REVOKED" });
    expect(await t.store.getSession(t.principal.session.id)).toMatchObject({ status: "ACTIVE" });
  });

  test("a disable that fails changes nothing, and its retry turns TOTP off and ends the other sessions", async () => {
    const t = await setUp();
    await t.auth.confirmTotpEnrollment(t.principal, t.code(), client);
    const other = await t.loginWithCode();
    const stamp = await t.stamp();
    t.advance(30);
    t.failNextChange();
    await expect(t.auth.disableTotp(t.principal, t.code(), client)).rejects.toThrow(StoreUnavailableError);
    expect((await t.store.mfa.findTotp(t.user.id))?.enabledAt).not.toBeNull();
    expect(await t.stamp()).toBe(stamp);
    expect(await t.store.getSession(other.id)).toMatchObject({ status: "ACTIVE" });

    t.advance(30);
    await t.auth.disableTotp(t.principal, t.code(), client);
    expect(await t.store.mfa.findTotp(t.user.id)).toBeNull();
    expect(await t.stamp()).not.toBe(stamp);
    expect(await t.store.getSession(other.id)).toMatchObject({ status: "REVOKED" });
    expect(await t.store.getSession(t.principal.session.id)).toMatchObject({ status: "ACTIVE" });
  });

  test("an admin reset that fails changes nothing, and its retry turns TOTP off and ends every session", async () => {
    const t = await setUp();
    await t.auth.confirmTotpEnrollment(t.principal, t.code(), client);
    const stamp = await t.stamp();
    t.failNextChange();
    await expect(t.auth.resetMfa(CLI_ACTOR, t.user.id, client)).rejects.toThrow(StoreUnavailableError);
    expect((await t.store.mfa.findTotp(t.user.id))?.enabledAt).not.toBeNull();
    expect(await t.stamp()).toBe(stamp);
    expect(await t.store.getSession(t.principal.session.id)).toMatchObject({ status: "ACTIVE" });

    expect(await t.auth.resetMfa(CLI_ACTOR, t.user.id, client)).toBe(true);
    expect(await t.store.mfa.findTotp(t.user.id)).toBeNull();
    expect(await t.stamp()).not.toBe(stamp);
    expect(await t.store.getSession(t.principal.session.id)).toMatchObject({ status: "REVOKED" });
    expect(await t.auth.resetMfa(CLI_ACTOR, t.user.id, client)).toBe(false);
  });
});
