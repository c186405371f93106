/** Email verification, email change and REQUIRE_VERIFIED_EMAIL, with real mail. @see issue 13 */
import { Authorized, Query, Resolver } from "type-graphql";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createSchema } from "../../src/graphql/schema.js";
import {
  ChangePasswordDocument,
  CreateVerifiedUserDocument,
  LoginDocument,
  LogoutDocument,
  MeEmailDocument,
  RequestEmailChangeDocument,
  SendVerificationEmailDocument,
  SignUpDocument,
  VerifyEmailDocument,
} from "../generated/graphql.js";
import { newCredentials, postGraphQL, startTestApi, type TestApi } from "../support/api.js";
import { accountWithSession } from "../support/accounts.js";
import { startMailbox, tokenFrom, type Mailbox } from "../support/mailbox.js";
import { parse } from "graphql";

/** An integrator's own guarded field, as a team embedding the API would write it. */
@Resolver()
class ReportResolver {
  @Authorized()
  @Query(() => String, { description: "An integrator's guarded field." })
  secretReport(): string {
    return "numbers";
  }
}

let mailbox: Mailbox;
let api: TestApi;
let strict: TestApi;
beforeAll(async () => {
  mailbox = await startMailbox();
  api = await startTestApi({ SMTP_URL: mailbox.url, SESSION_LIMIT: "0" });
  strict = await startTestApi({ SMTP_URL: mailbox.url, SESSION_LIMIT: "0", REQUIRE_VERIFIED_EMAIL: "true" }, undefined, await createSchema([ReportResolver]));
});
afterAll(async () => {
  await strict?.close();
  await api?.close();
  await mailbox?.close();
});

async function signUp(target: TestApi) {
  const creds = newCredentials();
  const res = await target.graphql(SignUpDocument, { input: { email: creds.email, password: creds.password } });
  if (!res.data) throw new Error(JSON.stringify(res.errors));
  return { creds, token: res.data.signUp.accessToken };
}

describe("email verification", () => {
  test("a new account is unverified until the mailed link is used; the link works once", async () => {
    const { creds, token } = await signUp(api);
    expect((await api.graphql(MeEmailDocument, {}, { token })).data?.me.emailVerified).toBe(false);
    expect((await api.graphql(SendVerificationEmailDocument, {}, { token })).data).toEqual({ sendVerificationEmail: true });
    const mail = await mailbox.waitFor(creds.email);
    expect(mail.subject).toBe("Verify your email address");
    const verificationToken = tokenFrom(mail);
    expect((await api.graphql(VerifyEmailDocument, { token: verificationToken })).data).toEqual({ verifyEmail: true });
    expect((await api.graphql(MeEmailDocument, {}, { token })).data?.me.emailVerified).toBe(true);
    const again = await api.graphql(VerifyEmailDocument, { token: verificationToken });
    expect(again.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", reason: "INVALID_TOKEN", field: "token" });
  });

  test("sendVerificationEmail needs a session", async () => {
    const res = await api.graphql(SendVerificationEmailDocument, {});
    expect(res.status).toBe(401);
  });

  test("an ADMIN creates a user whose address is already verified", async () => {
    const admin = await accountWithSession(api, { roles: ["ADMIN"], prefix: "admin" });
    const creds = newCredentials();
    const res = await api.graphql(CreateVerifiedUserDocument, { input: { ...creds, emailVerified: true } }, { token: admin.payload.accessToken });
    expect(res.data?.createUser.emailVerified).toBe(true);
  });
});

describe("email change", () => {
  test("the address changes only when the link mailed to the new one is used; the old one is told", async () => {
    const { creds, token } = await signUp(api);
    const newEmail = newCredentials("moved").email;
    const wrong = await api.graphql(RequestEmailChangeDocument, { newEmail, currentPassword: "not the password at all" }, { token });
    expect(wrong.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", reason: "WRONG_PASSWORD", field: "currentPassword" });
    const taken = await api.graphql(RequestEmailChangeDocument, { newEmail: (await signUp(api)).creds.email, currentPassword: creds.password }, { token });
    expect(taken.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", reason: "EMAIL_TAKEN", field: "newEmail" });

    expect((await api.graphql(RequestEmailChangeDocument, { newEmail, currentPassword: creds.password }, { token })).data).toEqual({
      requestEmailChange: true,
    });
    const mail = await mailbox.waitFor(newEmail);
    expect(mail.subject).toBe("Confirm your new email address");
    expect((await api.graphql(MeEmailDocument, {}, { token })).data?.me.email).toBe(creds.email); // not yet

    expect((await api.graphql(VerifyEmailDocument, { token: tokenFrom(mail) })).data).toEqual({ verifyEmail: true });
    expect((await api.graphql(MeEmailDocument, {}, { token })).data?.me).toMatchObject({ email: newEmail, emailVerified: true });
    const notice = await mailbox.waitFor(creds.email);
    expect(notice.subject).toBe("Your email address was changed");
    expect(notice.text).toContain(newEmail);
    const login = await api.graphql(LoginDocument, { input: { login: newEmail, password: creds.password } });
    expect(login.data?.login.user.email).toBe(newEmail);
  });

  test("an address taken between the request and the link is EMAIL_TAKEN then", async () => {
    const { creds, token } = await signUp(api);
    const newEmail = newCredentials("contested").email;
    await api.graphql(RequestEmailChangeDocument, { newEmail, currentPassword: creds.password }, { token });
    const link = tokenFrom(await mailbox.waitFor(newEmail));
    await api.graphql(SignUpDocument, { input: { email: newEmail, password: "someone else's long password" } });
    const res = await api.graphql(VerifyEmailDocument, { token: link });
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", reason: "EMAIL_TAKEN" });
    expect((await api.graphql(MeEmailDocument, {}, { token })).data?.me.email).toBe(creds.email);
  });
});

describe("REQUIRE_VERIFIED_EMAIL=true", () => {
  const report = parse("query { secretReport }");

  test("an unverified account may read me, ask for and use the link, and log out; anything else guarded is FORBIDDEN EMAIL_NOT_VERIFIED", async () => {
    const { creds, token } = await signUp(strict);
    expect((await strict.graphql(MeEmailDocument, {}, { token })).data?.me.emailVerified).toBe(false);
    const refused = await postGraphQL(strict.url, report, {}, { token });
    expect(refused.status).toBe(403);
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: "FORBIDDEN", reason: "EMAIL_NOT_VERIFIED" });
    const change = await strict.graphql(ChangePasswordDocument, { currentPassword: creds.password, newPassword: "another long passphrase here" }, { token });
    expect(change.errors?.[0]?.extensions?.reason).toBe("EMAIL_NOT_VERIFIED");

    expect((await strict.graphql(SendVerificationEmailDocument, {}, { token })).data).toEqual({ sendVerificationEmail: true });
    expect((await strict.graphql(VerifyEmailDocument, { token: tokenFrom(await mailbox.waitFor(creds.email)) })).data).toEqual({ verifyEmail: true });
    // the same token now passes: the check reads the account as it is on every request
    expect((await postGraphQL(strict.url, report, {}, { token })).data).toEqual({ secretReport: "numbers" });
    expect((await strict.graphql(LogoutDocument, {}, { token })).data).toEqual({ logout: true });
  });

  test("logout works for an unverified account", async () => {
    const { token } = await signUp(strict);
    expect((await strict.graphql(LogoutDocument, {}, { token })).data).toEqual({ logout: true });
  });
});
