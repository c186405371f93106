import { describe, expect, test } from "vitest";
import { storeFailingNextSecurityChange, testDeps } from "../../test/support/auth-deps.js";
import { CLI_ACTOR } from "./actor.js";
import { createAuth } from "./auth.js";
import type { AuthError } from "./errors.js";
import { StoreUnavailableError } from "./ports/store.js";
import { hashMailToken } from "./mail-tokens.js";
import type { ClientInfo } from "./principal.js";

const client: ClientInfo = { ipAddress: "203.0.113.8", userAgent: "unit" };
const password = "a long enough password before the reset";
const newPassword = "another long enough password after it";

/**
 * A user with two sessions and a mailed reset link, over a memory store whose next security change can be made to
 * fail as a database outage would: before anything is written.
 */
async function setUp() {
  const { store, failNextChange } = storeFailingNextSecurityChange();
  const deps = testDeps({ env: { SESSION_LIMIT: "0" }, overrides: { store }, now: () => new Date(Date.UTC(2030, 0, 1, 0, 0, 10)) });
  const auth = createAuth(deps);
  const user = await auth.createUser(CLI_ACTOR, { email: `reset${Math.random()}@example.com`, password }, client);
  const sessions = [(await auth.login({ login: user.email, password }, client)).session, (await auth.login({ login: user.email, password }, client)).session];
  expect(await auth.sendPasswordResetLink(CLI_ACTOR, user.id, client)).toBe(true);
  const [link] = await store.listOutboxMails(user.email);
  const token = /token=([A-Za-z0-9_-]{43})/.exec(link?.text ?? "")?.[1] ?? expect.fail("no reset link queued");
  return {
    auth,
    store,
    user,
    sessions,
    token,
    failNextChange,
    stored: () => store.findUserById(user.id),
    noticesQueued: async () => (await store.listOutboxMails(user.email)).filter((mail) => mail.kind === "PASSWORD_CHANGED").length,
    resetAudits: async () => (await store.listAuditEvents({ userId: user.id, limit: 50, before: null })).filter((event) => event.type === "PASSWORD_RESET"),
  };
}

/**
 * The token's redemption and the password change used to be two store calls: an outage between them left the link
 * spent and the password unchanged, and the user had to ask for a new link.
 */
describe("a password reset is one store call with the token's redemption", () => {
  test("a reset that fails changes nothing, and a retry with the same link sets the password and ends every session", async () => {
    const t = await setUp();
    const before = await t.stored();
    t.failNextChange();
    await expect(t.auth.resetPassword({ token: t.token, newPassword }, client)).rejects.toThrow(StoreUnavailableError);
    expect(await t.stored()).toEqual(before);
    expect(await t.store.findMailToken(hashMailToken(t.token))).not.toBeNull();
    for (const session of t.sessions) expect(await t.store.getSession(session.id)).toMatchObject({ status: "ACTIVE" });
    expect(await t.noticesQueued()).toBe(0);

    expect(await t.auth.resetPassword({ token: t.token, newPassword }, client)).toBe(2);
    const after = await t.stored();
    expect(after?.securityStamp).not.toBe(before?.securityStamp);
    expect(after?.emailVerifiedAt).not.toBeNull();
    expect(await t.store.findMailToken(hashMailToken(t.token))).toBeNull();
    for (const session of t.sessions) expect(await t.store.getSession(session.id)).toMatchObject({ status: "REVOKED" });
    expect(await t.noticesQueued()).toBe(1);
    expect((await t.auth.login({ login: t.user.email, password: newPassword }, client)).session.userId).toBe(t.user.id);
    expect(await t.resetAudits()).toMatchObject([{ outcome: "SUCCESS", detail: { sessionsRevoked: 2 } }]);
    await expect(t.auth.resetPassword({ token: t.token, newPassword: password }, client)).rejects.toMatchObject({ reason: "INVALID_TOKEN" });
  });

  test("of two racing resets with one link exactly one sets its password; the other is refused as used meanwhile", async () => {
    const t = await setUp();
    const results = await Promise.allSettled([
      t.auth.resetPassword({ token: t.token, newPassword }, client),
      t.auth.resetPassword({ token: t.token, newPassword: `${newPassword} too` }, client),
    ]);
    expect(results.filter((result) => result.status === "fulfilled")).toEqual([{ status: "fulfilled", value: 2 }]);
    const refused = results.find((result) => result.status === "rejected")?.reason as AuthError;
    expect(refused.reason).toBe("INVALID_TOKEN");
    expect(await t.noticesQueued()).toBe(1);
    const audits = await t.resetAudits();
    expect(audits.map((event) => event.outcome).sort()).toEqual(["FAILURE", "SUCCESS"]);
    expect(audits.find((event) => event.outcome === "FAILURE")?.detail).toEqual({ reason: "used meanwhile" });
  });
});
