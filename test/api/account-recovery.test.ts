/** Forgot password with real mail: reset links arrive over SMTP and are used as a user would. @see issue 13 */
import pg from "pg";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  LoginDocument,
  MeDocument,
  MeEmailDocument,
  RenewTokenDocument,
  RequestPasswordResetDocument,
  ResetPasswordDocument,
  VerifyEmailDocument,
} from "../generated/graphql.js";
import { newCredentials, startTestApi, type TestApi } from "../support/api.js";
import { accountWithSession, logInOk } from "../support/accounts.js";
import { startMailbox, tokenFrom, type Mailbox } from "../support/mailbox.js";

let mailbox: Mailbox;
let api: TestApi;
beforeAll(async () => {
  mailbox = await startMailbox();
  api = await startTestApi({
    SMTP_URL: mailbox.url,
    SESSION_LIMIT: "0",
    MAIL_POLL_INTERVAL: "1s",
    PASSWORD_RESET_URL: "https://app.example.com/reset?token={token}",
  });
});
afterAll(async () => {
  await api?.close();
  await mailbox?.close();
});

const newPassword = () => `a brand new passphrase ${Math.random().toString(36).slice(2)}`;

/** Asks for a reset link and returns the token from the n-th reset mail that arrives. */
async function resetToken(email: string, n = 1): Promise<string> {
  const asked = await api.graphql(RequestPasswordResetDocument, { email });
  expect(asked.data).toEqual({ requestPasswordReset: true });
  const mail = await mailbox.waitFor(email, n);
  expect(mail.subject).toBe("Reset your password");
  return tokenFrom(mail);
}

function expectInvalidToken(res: { status: number; errors?: ReadonlyArray<{ extensions?: Record<string, unknown> }> }) {
  expect(res.status).toBe(400);
  expect(res.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", reason: "INVALID_TOKEN", field: "token" });
}

async function sqlQuery(text: string, values: unknown[]) {
  const client = new pg.Client({ connectionString: api.databaseUrl });
  await client.connect();
  try {
    return await client.query(text, values);
  } finally {
    await client.end();
  }
}

describe("password reset", () => {
  test("the mailed link resets the password, ends every session, does not log in, verifies the email and sends a notice", async () => {
    const first = await accountWithSession(api);
    const second = await logInOk(api, first.creds);
    const mailsBefore = mailbox.to(first.creds.email).length;
    const token = await resetToken(first.creds.email, mailsBefore + 1);
    const mail = mailbox.to(first.creds.email)[mailsBefore]!;
    expect(mail.text).toContain(`https://app.example.com/reset?token=${token}`);
    expect(mail.html).toContain(`https://app.example.com/reset?token=${token}`);
    expect(token.length).toBeGreaterThanOrEqual(22); // ≥ 128 bits in base64url

    const password = newPassword();
    const reset = await api.graphql(ResetPasswordDocument, { token, newPassword: password });
    expect(reset.status).toBe(200);
    expect(reset.data).toEqual({ resetPassword: true });

    for (const accessToken of [first.payload.accessToken, second.accessToken]) {
      const me = await api.graphql(MeDocument, {}, { token: accessToken });
      expect(me.status).toBe(401);
      expect(me.errors?.[0]?.extensions).toMatchObject({ code: "UNAUTHENTICATED", reason: "SESSION_ENDED", sessionStatus: "REVOKED" });
    }
    const renewed = await api.graphql(RenewTokenDocument, { refreshToken: second.refreshToken });
    expect(renewed.status).toBe(401);
    const sessions = await api.store.listUserSessions(first.user.id);
    expect(sessions.map((s) => s.status)).toEqual(["REVOKED", "REVOKED"]);

    const oldLogin = await api.graphql(LoginDocument, { input: { login: first.creds.email, password: first.creds.password } });
    expect(oldLogin.errors?.[0]?.extensions?.reason).toBe("INVALID_CREDENTIALS");
    const fresh = await logInOk(api, { email: first.creds.email, password });
    const me = await api.graphql(MeEmailDocument, {}, { token: fresh.accessToken });
    expect(me.data?.me.emailVerified).toBe(true);

    const notice = await mailbox.waitFor(first.creds.email, mailsBefore + 2);
    expect(notice.subject).toBe("Your password was changed");
    expect(notice.text).not.toContain(token);

    // audit: every step, never the token
    const events = await api.store.listAuditEvents({ userId: first.user.id, limit: 50, before: null });
    const types = events.map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(["PASSWORD_RESET_LINK_ISSUED", "MAIL_SENT", "PASSWORD_RESET"]));
    expect(JSON.stringify(events)).not.toContain(token);
    // the outbox keeps no body once delivered
    const outbox = await api.store.listOutboxMails(first.creds.email);
    expect(outbox.map((m) => m.kind).sort()).toEqual(["PASSWORD_CHANGED", "PASSWORD_RESET_REQUEST"]);
    expect(outbox.every((m) => m.sentAt !== null && m.text === null && m.html === null)).toBe(true);
  });

  test("a token works once; used, replaced, expired, tampered or for another purpose it is INVALID_TOKEN", async () => {
    const { creds } = await accountWithSession(api);
    const older = await resetToken(creds.email, 1);
    const newer = await resetToken(creds.email, 2);
    expectInvalidToken(await api.graphql(ResetPasswordDocument, { token: older, newPassword: newPassword() })); // replaced

    const tampered = (newer[0] === "A" ? "B" : "A") + newer.slice(1);
    expectInvalidToken(await api.graphql(ResetPasswordDocument, { token: tampered, newPassword: newPassword() }));
    expectInvalidToken(await api.graphql(ResetPasswordDocument, { token: "not a token", newPassword: newPassword() }));
    // a reset token is not a verification token
    expectInvalidToken(await api.graphql(VerifyEmailDocument, { token: newer }));

    // a refused password leaves the link usable
    const weak = await api.graphql(ResetPasswordDocument, { token: newer, newPassword: "short" });
    expect(weak.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", reason: "PASSWORD_TOO_SHORT", field: "newPassword" });
    expect((await api.graphql(ResetPasswordDocument, { token: newer, newPassword: newPassword() })).data).toEqual({ resetPassword: true });
    expectInvalidToken(await api.graphql(ResetPasswordDocument, { token: newer, newPassword: newPassword() })); // used

    const third = await resetToken(creds.email, 4); // mail 3 was the "password changed" notice
    await sqlQuery("UPDATE mail_tokens SET expires_at = now() - interval '1 second'", []);
    expectInvalidToken(await api.graphql(ResetPasswordDocument, { token: third, newPassword: newPassword() }));
    const failures = (await api.store.listAuditEvents({ userId: null, limit: 200, before: null }))
      .filter((e) => (e.type === "PASSWORD_RESET" || e.type === "EMAIL_VERIFIED") && e.outcome === "FAILURE")
      .map((e) => e.detail.reason);
    expect(failures).toEqual(expect.arrayContaining(["unknown token", "wrong purpose", "expired"]));
  });

  test("the reset token is stored only as a hash and lives one hour", async () => {
    const { creds, user } = await accountWithSession(api);
    const token = await resetToken(creds.email);
    const { rows } = await sqlQuery("SELECT token_hash, expires_at - created_at AS ttl FROM mail_tokens WHERE user_id = $1", [user.id]);
    expect(rows).toHaveLength(1);
    expect(rows[0].token_hash).not.toContain(token);
    expect(rows[0].token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(rows[0].ttl).toMatchObject({ hours: 1 });
  });

  test("an unknown address gets the same answer and no mail", async () => {
    const { creds } = await accountWithSession(api);
    const known = await api.graphql(RequestPasswordResetDocument, { email: creds.email });
    const nobody = newCredentials("nobody").email;
    const unknown = await api.graphql(RequestPasswordResetDocument, { email: nobody });
    expect(unknown.status).toBe(known.status);
    expect(unknown.data).toEqual(known.data);
    expect(unknown.errors).toEqual(known.errors);
    await mailbox.waitFor(creds.email);
    await api.app.mail!.runOnce();
    expect(mailbox.to(nobody)).toEqual([]);
  });
});
