/** Forgot password tells nobody whether an account exists: same answer, similar time. @see issue 13 */
import { afterAll, beforeAll, expect, test } from "vitest";
import { RequestPasswordResetDocument } from "../generated/graphql.js";
import { newCredentials, startTestApi, type TestApi } from "../support/api.js";
import { startMailbox, type Mailbox } from "../support/mailbox.js";
import { signUpUser } from "./support.js";

let mailbox: Mailbox;
let api: TestApi;
beforeAll(async () => {
  mailbox = await startMailbox();
  // rate limits on, as in production: their counting is part of the time of both answers
  api = await startTestApi({
    SMTP_URL: mailbox.url,
    RATE_LIMIT_ENABLED: "true",
    RATE_LIMIT_ADDRESS_PER_MINUTE: "1000",
    RATE_LIMIT_MAILS_PER_HOUR: "1000",
    MAIL_POLL_INTERVAL: "1h",
  });
});
afterAll(async () => {
  await api?.close();
  await mailbox?.close();
});

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function timedRequest(email: string) {
  const started = performance.now();
  const res = await api.graphql(RequestPasswordResetDocument, { email });
  return { ms: performance.now() - started, res };
}

test("known and unknown addresses take similar time (medians of interleaved tries)", async () => {
  const { creds } = await signUpUser(api);
  const known: number[] = [];
  const unknown: number[] = [];
  await timedRequest(newCredentials("warm").email);
  for (let i = 0; i < 15; i++) {
    const k = await timedRequest(creds.email);
    const u = await timedRequest(newCredentials(`ghost${i}`).email);
    expect(u.res.data).toEqual(k.res.data);
    known.push(k.ms);
    unknown.push(u.ms);
  }
  // the mail is only queued inside the request (the SMTP conversation happens later, in the outbox worker); the
  // bound is generous so that a busy machine running other tests does not make this flaky
  const ratio = median(unknown) / median(known);
  const detail = `unknown ${median(unknown).toFixed(1)} ms vs known ${median(known).toFixed(1)} ms`;
  console.log(`requestPasswordReset timing: ${detail}, ratio ${ratio.toFixed(2)}`);
  expect(ratio, detail).toBeGreaterThan(0.5);
  expect(ratio, detail).toBeLessThan(2);
  await api.app.mail!.runOnce();
  expect(mailbox.to(creds.email)).toHaveLength(15); // one per request (each link replacing the one before)
});
