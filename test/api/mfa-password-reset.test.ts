/**
 * A password reset never turns TOTP off: after resetting the password by the mailed link, the next login still
 * asks for the second factor, and the new password alone gets no session. @see issue 15
 */
import { Secret, TOTP } from "otpauth";
import { afterAll, beforeAll, expect, test } from "vitest";
import {
  CompleteMfaLoginDocument,
  ConfirmTotpEnrollmentDocument,
  RequestPasswordResetDocument,
  ResetPasswordDocument,
  StartTotpEnrollmentDocument,
} from "../generated/graphql.js";
import { accountWithSession, logIn } from "../support/accounts.js";
import { startTestApi, type TestApi } from "../support/api.js";
import { startMailbox, tokenFrom, type Mailbox } from "../support/mailbox.js";

let mailbox: Mailbox;
let api: TestApi;
beforeAll(async () => {
  mailbox = await startMailbox();
  api = await startTestApi({ SMTP_URL: mailbox.url, SESSION_LIMIT: "0", MAIL_POLL_INTERVAL: "1s" });
});
afterAll(async () => {
  await api?.close();
  await mailbox?.close();
});

test("a password reset followed by login still asks for the TOTP code", async () => {
  const { creds, payload } = await accountWithSession(api);
  const { secret } = (await api.graphql(StartTotpEnrollmentDocument, {}, { token: payload.accessToken })).data!.startTotpEnrollment;
  const code = new TOTP({ secret: Secret.fromBase32(secret) }).generate();
  const recoveryCodes = (await api.graphql(ConfirmTotpEnrollmentDocument, { code }, { token: payload.accessToken })).data!.confirmTotpEnrollment;

  const before = mailbox.to(creds.email).length;
  await api.graphql(RequestPasswordResetDocument, { email: creds.email });
  const token = tokenFrom(await mailbox.waitFor(creds.email, before + 1));
  const newPassword = `a brand new passphrase ${Math.random().toString(36).slice(2)}`;
  expect((await api.graphql(ResetPasswordDocument, { token, newPassword })).data).toEqual({ resetPassword: true });

  const login = await logIn(api, { email: creds.email, password: newPassword });
  expect(login.status).toBe(401);
  expect(login.data).toBeNull();
  const extensions = login.errors![0]!.extensions!;
  expect(extensions).toMatchObject({ code: "MFA_REQUIRED", reason: "MFA_REQUIRED" });
  const done = await api.graphql(CompleteMfaLoginDocument, { mfaToken: extensions.mfaToken as string, code: recoveryCodes[0]! });
  expect(done.status).toBe(200);
});
