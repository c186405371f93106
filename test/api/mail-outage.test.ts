/** An SMTP outage loses no mail: the request succeeds, the outbox retries until the server is back. @see issue 13 */
import { createServer } from "node:net";
import { afterAll, expect, test } from "vitest";
import { RequestPasswordResetDocument, ResetPasswordDocument } from "../generated/graphql.js";
import { startTestApi, type TestApi } from "../support/api.js";
import { createAccount } from "../support/accounts.js";
import { startMailbox, tokenFrom, type Mailbox } from "../support/mailbox.js";

let api: TestApi | undefined;
let mailbox: Mailbox | undefined;
afterAll(async () => {
  await api?.close();
  await mailbox?.close();
});

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

test("a reset requested while SMTP is down succeeds, and its mail arrives once SMTP is back", async () => {
  const port = await freePort(); // nobody listens here yet: connections are refused
  api = await startTestApi({ SMTP_URL: `smtp://127.0.0.1:${port}`, MAIL_RETRY_DELAY: "1s", MAIL_POLL_INTERVAL: "1s" });
  const { creds } = await createAccount(api);

  const asked = await api.graphql(RequestPasswordResetDocument, { email: creds.email });
  expect(asked.status).toBe(200);
  expect(asked.data).toEqual({ requestPasswordReset: true });

  // the worker tried and failed: the request is still queued for a retry (composed, with a new token, each time)
  const failed = await until("a failed attempt", async () => {
    const [mail] = await api!.store.listOutboxMails(creds.email);
    return mail && mail.attempts >= 1 ? mail : undefined;
  });
  expect(failed).toMatchObject({ kind: "PASSWORD_RESET_REQUEST", sentAt: null, failedAt: null });

  mailbox = await startMailbox(port);
  const mail = await mailbox.waitFor(creds.email, 1, 20_000);
  const reset = await api.graphql(ResetPasswordDocument, { token: tokenFrom(mail), newPassword: "a new passphrase after the outage" });
  expect(reset.data).toEqual({ resetPassword: true });

  const delivered = await until("the delivery to be recorded", async () => {
    const found = (await api!.store.listOutboxMails(creds.email)).find((m) => m.kind === "PASSWORD_RESET_REQUEST");
    return found?.sentAt ? found : undefined;
  });
  expect(delivered).toMatchObject({ text: null, html: null });
  expect(mailbox.to(creds.email).filter((m) => m.subject === "Reset your password")).toHaveLength(1);
  const events = await api.store.listAuditEvents({ userId: delivered.userId, limit: 50, before: null });
  expect(events.some((e) => e.type === "MAIL_DELIVERY_FAILED" && e.detail.retry === true)).toBe(true);
});
