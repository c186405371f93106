/**
 * TOTP second factor over real HTTP: enrollment, MFA_REQUIRED, completeMfaLogin with codes the test computes from
 * the secret (otpauth, as an authenticator app), replay, wrong codes, recovery codes, disable and admin reset.
 * A code belongs to a 30-second step and the server accepts one step either side; each account here uses at most
 * the current step and the next one, then recovery codes, so no test depends on when in a step it runs.
 * @see issue 15
 */
import { Secret, TOTP } from "otpauth";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  CompleteMfaLoginDocument,
  ConfirmTotpEnrollmentDocument,
  DisableTotpDocument,
  MeDocument,
  MfaEnabledDocument,
  ResetUserMfaDocument,
  StartTotpEnrollmentDocument,
} from "../generated/graphql.js";
import { accountWithSession, logIn, logInOk } from "../support/accounts.js";
import { startTestApi, type GraphQLResponse, type TestApi } from "../support/api.js";

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi({ SESSION_LIMIT: "0", TOTP_ISSUER: "Acme Test" });
});
afterAll(async () => {
  await api?.close();
});

/** The code an authenticator app shows for `secret`, `steps` 30-second steps from now. */
function codeOf(secret: string, steps = 0): string {
  return new TOTP({ secret: Secret.fromBase32(secret) }).generate({ timestamp: Date.now() + steps * 30_000 });
}

/** A code that is none of the codes valid now (the current step and its neighbours). */
function wrongCodeOf(secret: string): string {
  const valid = new Set([-1, 0, 1].map((steps) => codeOf(secret, steps)));
  for (let n = 123_456; ; n++) if (!valid.has(String(n).padStart(6, "0"))) return String(n).padStart(6, "0");
}

const ext = (res: GraphQLResponse<unknown>) => res.errors?.[0]?.extensions ?? {};

/** A user with TOTP on (enrolled over HTTP with the current step's code) and a session of theirs. */
async function enrolledAccount() {
  const { creds, user, payload } = await accountWithSession(api);
  const started = await api.graphql(StartTotpEnrollmentDocument, {}, { token: payload.accessToken });
  const { secret } = started.data!.startTotpEnrollment;
  const confirmed = await api.graphql(ConfirmTotpEnrollmentDocument, { code: codeOf(secret) }, { token: payload.accessToken });
  return { creds, user, token: payload.accessToken, secret, recoveryCodes: confirmed.data!.confirmTotpEnrollment };
}

async function mfaTokenFor(creds: { email: string; password: string }): Promise<string> {
  const res = await logIn(api, creds);
  expect(ext(res)).toMatchObject({ code: "MFA_REQUIRED", reason: "MFA_REQUIRED" });
  return ext(res).mfaToken as string;
}

describe("enrollment", () => {
  test("startTotpEnrollment gives a 160-bit base32 secret and its otpauth URL; confirm turns TOTP on, returns 10 recovery codes and ends the other sessions", async () => {
    const { creds, payload } = await accountWithSession(api);
    const otherDevice = await logInOk(api, creds, "Tablet/1.0");

    const started = await api.graphql(StartTotpEnrollmentDocument, {}, { token: payload.accessToken });
    const { secret, otpauthUrl } = started.data!.startTotpEnrollment;
    expect(Secret.fromBase32(secret).bytes.length).toBe(20);
    const url = new URL(otpauthUrl);
    expect(url.protocol).toBe("otpauth:");
    expect(url.searchParams.get("secret")).toBe(secret);
    expect(url.searchParams.get("issuer")).toBe("Acme Test");
    expect(decodeURIComponent(otpauthUrl)).toContain(creds.email);
    // pending: login still answers tokens, and mfaEnabled is false
    expect((await api.graphql(MfaEnabledDocument, {}, { token: payload.accessToken })).data!.me.mfaEnabled).toBe(false);

    const wrong = await api.graphql(ConfirmTotpEnrollmentDocument, { code: wrongCodeOf(secret) }, { token: payload.accessToken });
    expect(wrong.status).toBe(400);
    expect(ext(wrong)).toMatchObject({ code: "BAD_USER_INPUT", reason: "INVALID_CODE", field: "code" });

    const confirmed = await api.graphql(ConfirmTotpEnrollmentDocument, { code: codeOf(secret) }, { token: payload.accessToken });
    const codes = confirmed.data!.confirmTotpEnrollment;
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    expect((await api.graphql(MfaEnabledDocument, {}, { token: payload.accessToken })).data!.me.mfaEnabled).toBe(true);

    // the other device is signed out at once; the device that turned TOTP on stays
    const other = await api.graphql(MeDocument, {}, { token: otherDevice.accessToken });
    expect(other.status).toBe(401);
    expect(ext(other)).toMatchObject({ reason: "SESSION_ENDED", sessionStatus: "REVOKED" });
    expect((await api.graphql(MeDocument, {}, { token: payload.accessToken })).status).toBe(200);

    // stored sealed and hashed only: neither the secret nor a recovery code is in the database
    const stored = await api.store.mfa.findTotp(payload.user.id);
    expect(stored?.secretSealed).not.toContain(secret);
    expect(JSON.stringify(stored)).not.toContain(secret);
  });
});

describe("login with TOTP on", () => {
  test("the right password answers 401 MFA_REQUIRED with an mfaToken and starts no session; completeMfaLogin with a current code does", async () => {
    const { creds, user, secret } = await enrolledAccount();
    const sessionsBefore = (await api.store.listUserSessions(user.id)).length;

    const res = await logIn(api, creds);
    expect(res.status).toBe(401);
    expect(res.data).toBeNull();
    expect(ext(res)).toMatchObject({ code: "MFA_REQUIRED", reason: "MFA_REQUIRED", mfaToken: expect.stringMatching(/^[\w-]{22}\.[\w-]{43}$/) });
    expect(await api.store.listUserSessions(user.id)).toHaveLength(sessionsBefore);

    const wrong = await api.graphql(CompleteMfaLoginDocument, { mfaToken: ext(res).mfaToken as string, code: wrongCodeOf(secret) });
    expect(wrong.status).toBe(400);
    expect(ext(wrong)).toMatchObject({ code: "BAD_USER_INPUT", reason: "INVALID_CODE", field: "code" });

    // the confirmation used this step's code: the next step's is the one an app shows a moment later
    const done = await api.graphql(CompleteMfaLoginDocument, { mfaToken: ext(res).mfaToken as string, code: codeOf(secret, 1) });
    expect(done.status).toBe(200);
    const payload = done.data!.completeMfaLogin;
    expect(payload.user.id).toBe(user.id);
    expect((await api.graphql(MeDocument, {}, { token: payload.accessToken })).status).toBe(200);

    // the mfaToken was single use
    const again = await api.graphql(CompleteMfaLoginDocument, { mfaToken: ext(res).mfaToken as string, code: codeOf(secret, 1) });
    expect(again.status).toBe(401);
    expect(ext(again)).toMatchObject({ code: "UNAUTHENTICATED", reason: "MFA_TOKEN_INVALID" });

    // and the code too: replayed with a fresh mfaToken in its window, it is refused
    const replay = await api.graphql(CompleteMfaLoginDocument, { mfaToken: await mfaTokenFor(creds), code: codeOf(secret, 1) });
    expect(ext(replay)).toMatchObject({ code: "BAD_USER_INPUT", reason: "INVALID_CODE" });
  });

  test("a recovery code works once, and its use is audited with the number of codes left", async () => {
    const { creds, user, recoveryCodes } = await enrolledAccount();
    const code = recoveryCodes[3]!;

    const done = await api.graphql(CompleteMfaLoginDocument, { mfaToken: await mfaTokenFor(creds), code: code.toUpperCase() });
    expect(done.status).toBe(200);
    const again = await api.graphql(CompleteMfaLoginDocument, { mfaToken: await mfaTokenFor(creds), code });
    expect(ext(again)).toMatchObject({ reason: "INVALID_CODE", field: "code" });

    const events = await api.store.listAuditEvents({ userId: user.id, limit: 50, before: null });
    expect(events.find((event) => event.type === "RECOVERY_CODE_USED")?.detail).toEqual({ codesLeft: 9 });
    expect(events.find((event) => event.type === "LOGIN" && event.outcome === "SUCCESS")?.detail).toEqual({ secondFactor: "recovery" });
    expect(events.filter((event) => event.type === "MFA_CODE" && event.outcome === "FAILURE")).toHaveLength(1);
    expect(events.some((event) => event.type === "TOTP_ENABLED")).toBe(true);
    // no secret of any kind in the audit trail
    expect(JSON.stringify(events)).not.toContain(code);
  });

  test("an mfaToken survives four wrong codes and is spent by the fifth", async () => {
    const { creds, recoveryCodes, secret } = await enrolledAccount();
    const mfaToken = await mfaTokenFor(creds);
    for (let attempt = 1; attempt <= 5; attempt++) {
      const res = await api.graphql(CompleteMfaLoginDocument, { mfaToken, code: wrongCodeOf(secret) });
      expect(ext(res).reason, `attempt ${attempt}`).toBe("INVALID_CODE");
    }
    const spent = await api.graphql(CompleteMfaLoginDocument, { mfaToken, code: recoveryCodes[0]! });
    expect(spent.status).toBe(401);
    expect(ext(spent)).toMatchObject({ code: "UNAUTHENTICATED", reason: "MFA_TOKEN_INVALID" });
    // the right code was not spent on the dead token
    expect((await api.graphql(CompleteMfaLoginDocument, { mfaToken: await mfaTokenFor(creds), code: recoveryCodes[0]! })).status).toBe(200);
  });

  test("an unknown or malformed mfaToken is MFA_TOKEN_INVALID", async () => {
    for (const mfaToken of ["", "nope", `${"a".repeat(22)}.${"b".repeat(43)}`]) {
      const res = await api.graphql(CompleteMfaLoginDocument, { mfaToken, code: "123456" });
      expect(res.status).toBe(401);
      expect(ext(res)).toMatchObject({ code: "UNAUTHENTICATED", reason: "MFA_TOKEN_INVALID" });
    }
  });
});

describe("turning TOTP off", () => {
  test("disableTotp needs a valid code; then login answers tokens again and the other sessions have ended", async () => {
    const { creds, token, secret, recoveryCodes, user } = await enrolledAccount();
    const other = (await api.graphql(CompleteMfaLoginDocument, { mfaToken: await mfaTokenFor(creds), code: recoveryCodes[1]! })).data!.completeMfaLogin;

    const wrong = await api.graphql(DisableTotpDocument, { code: wrongCodeOf(secret) }, { token });
    expect(ext(wrong)).toMatchObject({ reason: "INVALID_CODE", field: "code" });
    const off = await api.graphql(DisableTotpDocument, { code: codeOf(secret, 1) }, { token });
    expect(off.data?.disableTotp).toBe(true);

    expect((await api.graphql(MfaEnabledDocument, {}, { token })).data!.me.mfaEnabled).toBe(false);
    expect((await api.graphql(MeDocument, {}, { token: other.accessToken })).status).toBe(401);
    expect((await logIn(api, creds)).status).toBe(200);
    expect(await api.store.mfa.findTotp(user.id)).toBeNull();
  });

  test("an administrator resets a user's MFA (audited, their sessions end); a non-admin may not", async () => {
    const { creds, user, token } = await enrolledAccount();
    const admin = await accountWithSession(api, { roles: ["ADMIN"] });

    const refused = await api.graphql(ResetUserMfaDocument, { userId: user.id }, { token });
    expect(refused.status).toBe(403);

    const reset = await api.graphql(ResetUserMfaDocument, { userId: user.id }, { token: admin.payload.accessToken });
    expect(reset.data?.resetUserMfa).toBe(true);
    expect((await api.graphql(MeDocument, {}, { token })).status).toBe(401);
    expect((await logIn(api, creds)).status).toBe(200);
    const events = await api.store.listAuditEvents({ userId: user.id, limit: 20, before: null });
    expect(events.find((event) => event.type === "MFA_RESET")).toMatchObject({ actorId: admin.user.id, detail: { sessionsRevoked: 1 } });
    // nothing left to reset
    expect((await api.graphql(ResetUserMfaDocument, { userId: user.id }, { token: admin.payload.accessToken })).data?.resetUserMfa).toBe(false);
  });

  test("a second enrollment while TOTP is on is refused", async () => {
    const { token } = await enrolledAccount();
    const res = await api.graphql(StartTotpEnrollmentDocument, {}, { token });
    expect(ext(res)).toMatchObject({ code: "BAD_USER_INPUT", reason: "INVALID_INPUT" });
  });
});
