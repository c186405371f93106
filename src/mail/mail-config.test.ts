import { expect, test } from "vitest";
import { ConfigError, loadConfig } from "../config.js";
import { createLogger } from "../logger.js";
import { createMailComposer } from "./composer.js";
import { createLogTransport } from "./transport.js";

const strongSecret = "k3Jv9Qz-1pX7wL0sT4bR8nY2mF6hC5dAeGuViOoPqWx";
const production = { NODE_ENV: "production", JWT_SECRET: strongSecret, TOTP_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString("base64") };
const productionMail = {
  ...production,
  SMTP_URL: "smtps://user:secret@smtp.example.com:465",
  MAIL_FROM: "Example <no-reply@example.com>",
  PASSWORD_RESET_URL: "https://app.example.com/reset?token={token}",
  EMAIL_VERIFICATION_URL: "https://app.example.com/verify?token={token}",
};

test("production with mail on refuses to start without SMTP_URL, MAIL_FROM and the link templates, saying how to fix it @see issue 13", () => {
  let error: unknown;
  try {
    loadConfig(production);
  } catch (caught) {
    error = caught;
  }
  expect(error).toBeInstanceOf(ConfigError);
  const problems = (error as ConfigError).problems.join("\n");
  for (const name of ["SMTP_URL", "MAIL_FROM", "PASSWORD_RESET_URL", "EMAIL_VERIFICATION_URL"])
    expect(problems).toContain(`${name}: required when NODE_ENV=production`);
  expect(problems).toContain("MAIL_ENABLED=false");
  expect(loadConfig({ ...production, MAIL_ENABLED: "false" }).mail.enabled).toBe(false);
  expect(loadConfig(productionMail).mail).toMatchObject({ enabled: true, smtpUrl: productionMail.SMTP_URL, requireVerifiedEmail: false });
});

test("development needs no mail settings; bad link templates and SMTP URLs are refused", () => {
  const dev = loadConfig({});
  expect(dev.mail).toMatchObject({ enabled: true, smtpUrl: undefined, requireVerifiedEmail: false, maxAttempts: 10, retryDelaySeconds: 30 });
  expect(dev.mail.passwordResetUrl).toContain("{token}");
  expect(() => loadConfig({ PASSWORD_RESET_URL: "https://app.example.com/reset" })).toThrow(
    /PASSWORD_RESET_URL: must be an http\(s\) URL containing \{token\}/,
  );
  expect(() => loadConfig({ EMAIL_VERIFICATION_URL: "javascript:alert({token})" })).toThrow(/EMAIL_VERIFICATION_URL/);
  expect(() => loadConfig({ SMTP_URL: "http://smtp.example.com" })).toThrow(/SMTP_URL/);
  expect(loadConfig({ REQUIRE_VERIFIED_EMAIL: "true" }).mail.requireVerifiedEmail).toBe(true);
});

test("links come from the configured templates, token URL-encoded; HTML values are escaped", () => {
  const composer = createMailComposer({
    passwordResetUrl: "https://app.example.com/r?t={token}&x=1",
    emailVerificationUrl: "https://app.example.com/v/{token}",
  });
  const reset = composer.compose({ kind: "PASSWORD_RESET", to: "ada@example.com", token: "abc_-123" });
  expect(reset.text).toContain("https://app.example.com/r?t=abc_-123&x=1");
  expect(reset.html).toContain("https://app.example.com/r?t=abc_-123&amp;x=1");
  const notice = composer.compose({ kind: "EMAIL_CHANGED", to: "ada@example.com", newEmail: "<b>@example.com" });
  expect(notice.html).toContain("&lt;b&gt;@example.com");
  const custom = createMailComposer(
    { passwordResetUrl: "https://a/{token}", emailVerificationUrl: "https://a/{token}" },
    {
      PASSWORD_CHANGED: { subject: "Mot de passe modifié", text: () => "Bonjour", html: () => "<p>Bonjour</p>" },
    },
  );
  expect(custom.compose({ kind: "PASSWORD_CHANGED", to: "ada@example.com" })).toEqual({
    subject: "Mot de passe modifié",
    text: "Bonjour",
    html: "<p>Bonjour</p>",
  });
});

test("in development without SMTP_URL each mail goes to the log, link included", async () => {
  const lines: string[] = [];
  const transport = createLogTransport(createLogger({ level: "info", json: false, write: (line) => lines.push(line) }));
  await transport.send({
    to: "ada@example.com",
    subject: "Reset your password",
    text: "Set a new password here:\nhttp://localhost:3000/reset-password?token=abc\n",
    html: "",
  });
  expect(lines.join("\n")).toContain("mail to ada@example.com: Reset your password");
  expect(lines.join("\n")).toContain("http://localhost:3000/reset-password?token=abc");
});
