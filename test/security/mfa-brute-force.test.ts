/**
 * Guessing second-factor codes: each mfaToken takes five, and the account's wrong codes over all tokens (and
 * disableTotp with a stolen access token) are capped by RATE_LIMIT_MFA_FAILURES, counted in the database.
 * @see issue 15
 */
import { Secret, TOTP } from "otpauth";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { CompleteMfaLoginDocument, ConfirmTotpEnrollmentDocument, DisableTotpDocument, StartTotpEnrollmentDocument } from "../generated/graphql.js";
import { errorCode, startTestApi, type GraphQLResponse, type TestApi } from "../support/api.js";
import { attemptsUntilLimited, freshAddress, from, loginFrom, signUpUser } from "./support.js";

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi({ RATE_LIMIT_ENABLED: "true", TRUST_PROXY: "1", RATE_LIMIT_MFA_FAILURES: "8", SESSION_LIMIT: "0" });
});
afterAll(async () => {
  await api?.close();
});

/** An account with TOTP on, enrolled from `ip`. */
async function enrolled(ip: string) {
  const { creds, payload } = await signUpUser(api, ip);
  const options = { ...from(ip), token: payload.accessToken };
  const { secret } = (await api.graphql(StartTotpEnrollmentDocument, {}, options)).data!.startTotpEnrollment;
  const code = new TOTP({ secret: Secret.fromBase32(secret) }).generate();
  const recoveryCodes = (await api.graphql(ConfirmTotpEnrollmentDocument, { code }, options)).data!.confirmTotpEnrollment;
  return { creds, token: payload.accessToken, recoveryCodes };
}

/** A six-digit guess; with 8 guesses the chance that one is a valid code is about 2.4e-5. */
const guess = (n: number) => String(100_000 + n * 7919).padStart(6, "0");

describe("guessing codes", () => {
  test("wrong codes over many mfaTokens hit TOO_MANY_REQUESTS at the account's limit; then even a right code waits", async () => {
    const ip = freshAddress();
    const { creds, recoveryCodes } = await enrolled(ip);
    let mfaToken = "";
    let tried = 0;
    const { attempts, last } = await attemptsUntilLimited(async (): Promise<GraphQLResponse<unknown>> => {
      if (tried % 5 === 0) {
        // a fresh mfaToken each 5 codes: the per-token cap alone would not stop this
        const login = await loginFrom(api, ip, creds.email, creds.password);
        mfaToken = login.errors![0]!.extensions!.mfaToken as string;
      }
      return api.graphql(CompleteMfaLoginDocument, { mfaToken, code: guess(tried++) }, from(ip));
    }, 30);
    expect(attempts).toBe(9); // 8 wrong codes, then refused
    expect(last.status).toBe(429);
    expect(Number(last.headers.get("retry-after"))).toBeGreaterThan(0);

    const login = await loginFrom(api, ip, creds.email, creds.password);
    const right = await api.graphql(
      CompleteMfaLoginDocument,
      { mfaToken: login.errors![0]!.extensions!.mfaToken as string, code: recoveryCodes[0]! },
      from(ip),
    );
    expect(errorCode(right)).toBe("TOO_MANY_REQUESTS");
  });

  test("a stolen access token cannot guess its way through disableTotp", async () => {
    const ip = freshAddress();
    const { token } = await enrolled(ip);
    let n = 0;
    const { attempts } = await attemptsUntilLimited(() => api.graphql(DisableTotpDocument, { code: guess(n++) }, { ...from(ip), token }), 30);
    expect(attempts).toBe(9);
  });
});
