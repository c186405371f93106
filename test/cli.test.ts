import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { Secret, TOTP } from "otpauth";
import { ConfirmTotpEnrollmentDocument, CreateUserDocument, MeDocument, StartTotpEnrollmentDocument, UserStatusDocument } from "./generated/graphql.js";
import { errorCode, newCredentials, startTestApi, type TestApi } from "./support/api.js";
import { logIn, logInOk } from "./support/accounts.js";
import { createTestDatabase, type TestDatabase } from "./support/postgres.js";

const PROJECT_ROOT = new URL("..", import.meta.url).pathname;
// what `npx tsx` resolves to, without npm's own start-up on every run
const TSX = new URL("../node_modules/.bin/tsx", import.meta.url).pathname;

/** Runs the CLI as an operator would, as a separate process, with `stdin` piped in. */
function runCli(args: string[], options: { stdin?: string; databaseUrl: string }): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(TSX, ["src/cli/main.ts", ...args], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, DATABASE_URL: options.databaseUrl, LOG_LEVEL: "", NODE_ENV: "" },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.stdin ?? "");
  });
}

let database: TestDatabase;
let api: TestApi;
const root = newCredentials("root");

beforeAll(async () => {
  database = await createTestDatabase();
  api = await startTestApi({ SESSION_LIMIT: "0", RATE_LIMIT_ENABLED: "false" }, database.url);
});
afterAll(async () => {
  await api?.close();
  await database?.drop();
});

// each run is a new process that compiles the CLI with tsx: allow for a loaded machine
describe("npm run cli", { timeout: 90_000 }, () => {
  test("create-user makes an ADMIN (password on stdin) who can log in over HTTP and call createUser", async () => {
    const run = await runCli(["create-user", "--email", root.email, "--username", root.username, "--role", "ADMIN", "--profile", '{"displayName":"Root"}'], {
      stdin: `${root.password}\n`,
      databaseUrl: database.url,
    });

    expect(run.stderr).not.toContain("error");
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`Created user [0-9a-f-]{36} \\(${root.email}\\) with roles ADMIN`));
    expect(run.stdout + run.stderr).not.toContain(root.password);

    const session = await logInOk(api, root);
    expect(session.user).toMatchObject({ roles: ["ADMIN"], profile: { displayName: "Root" } });
    const created = await api.graphql(CreateUserDocument, { input: { ...newCredentials("staff"), roles: ["SUPPORT"] } }, { token: session.accessToken });
    expect(created.status).toBe(200);
    expect(created.data?.createUser.roles).toEqual(["SUPPORT"]);
    const events = await api.store.listAuditEvents({ userId: session.user.id, limit: 10, before: null });
    expect(events.find((e) => e.type === "USER_CREATED")).toMatchObject({ actorId: null, detail: { actor: "cli", roles: ["ADMIN"] } });
  });

  test("never takes a password from argv, and refuses an empty one", async () => {
    const creds = newCredentials("argv");
    const inArgv = await runCli(["create-user", "--email", creds.email, "--password", creds.password], { databaseUrl: database.url });
    expect(inArgv.code).toBe(2);
    expect(inArgv.stderr).toMatch(/never taken from the command line/);

    const empty = await runCli(["create-user", "--email", creds.email], { stdin: "", databaseUrl: database.url });
    expect(empty.code).toBe(1);
    expect(empty.stderr).toMatch(/No password on stdin/);
    expect((await logIn(api, creds)).status).toBe(401);
  });

  test("reports a policy violation and a taken email with exit status 1", async () => {
    const weak = await runCli(["create-user", "--email", newCredentials().email], { stdin: "short\n", databaseUrl: database.url });
    expect(weak.code).toBe(1);
    expect(weak.stderr).toMatch(/^error: Password/m);
    const taken = await runCli(["create-user", "--email", root.email], { stdin: `${root.password}\n`, databaseUrl: database.url });
    expect(taken.code).toBe(1);
    expect(taken.stderr).toMatch(/already registered/);
  });

  test("list-sessions and revoke-sessions show and end a user's sessions", async () => {
    const { creds } = { creds: root };
    const phone = await logInOk(api, creds, "Phone/9");
    const laptop = await logInOk(api, creds, "Laptop/9");

    const listed = await runCli(["list-sessions", "--email", creds.email, "--json"], { databaseUrl: database.url });
    expect(listed.code).toBe(0);
    const sessions = JSON.parse(listed.stdout) as Array<{ id: string; status: string; userAgent: string }>;
    expect(sessions.slice(0, 2)).toMatchObject([
      { id: laptop.session.id, status: "ACTIVE", userAgent: "Laptop/9" },
      { id: phone.session.id, status: "ACTIVE" },
    ]);

    const one = await runCli(["revoke-sessions", "--email", creds.email, "--session-id", phone.session.id], { databaseUrl: database.url });
    expect(one.code).toBe(0);
    expect(one.stdout).toContain(`Revoked session ${phone.session.id}`);
    expect((await api.graphql(MeDocument, {}, { token: phone.accessToken })).status).toBe(401);
    expect((await api.graphql(MeDocument, {}, { token: laptop.accessToken })).status).toBe(200);

    const all = await runCli(["revoke-sessions", "--email", creds.email], { databaseUrl: database.url });
    expect(all.code).toBe(0);
    expect(all.stdout).toMatch(/Revoked [1-9]\d* active session/);
    expect((await api.graphql(MeDocument, {}, { token: laptop.accessToken })).status).toBe(401);
  });

  test("disable-user cuts a user off at once; enable-user lets them back in", async () => {
    const admin = await logInOk(api, root);
    const creds = newCredentials("target");
    const user = (await api.graphql(CreateUserDocument, { input: creds }, { token: admin.accessToken })).data!.createUser;
    const session = await logInOk(api, creds);

    const disabled = await runCli(["disable-user", "--user-id", user.id], { databaseUrl: database.url });
    expect(disabled.code).toBe(0);
    expect((await api.graphql(MeDocument, {}, { token: session.accessToken })).status).toBe(401);
    expect((await logIn(api, creds)).status).toBe(401);
    expect((await api.graphql(UserStatusDocument, { id: user.id }, { token: admin.accessToken })).data?.user?.disabledAt).toEqual(expect.any(String));

    const enabled = await runCli(["enable-user", "--email", creds.email], { databaseUrl: database.url });
    expect(enabled.code).toBe(0);
    expect((await logIn(api, creds)).status).toBe(200);
  });

  test("reset-mfa turns a user's TOTP off and ends their sessions, for a user who lost their device @see issue 15", async () => {
    const admin = await logInOk(api, root);
    const creds = newCredentials("lostphone");
    await api.graphql(CreateUserDocument, { input: creds }, { token: admin.accessToken });
    const session = await logInOk(api, creds);
    const { secret } = (await api.graphql(StartTotpEnrollmentDocument, {}, { token: session.accessToken })).data!.startTotpEnrollment;
    const code = new TOTP({ secret: Secret.fromBase32(secret) }).generate();
    await api.graphql(ConfirmTotpEnrollmentDocument, { code }, { token: session.accessToken });
    expect(errorCode(await logIn(api, creds))).toBe("MFA_REQUIRED");

    const reset = await runCli(["reset-mfa", "--email", creds.email], { databaseUrl: database.url });
    expect(reset.code).toBe(0);
    expect(reset.stdout).toContain("Turned TOTP off");
    expect((await api.graphql(MeDocument, {}, { token: session.accessToken })).status).toBe(401);
    expect((await logIn(api, creds)).status).toBe(200);
  });

  test("send-reset-link queues a reset mail for a user, which the API delivers @see issue 13", async () => {
    const creds = newCredentials();
    await api.app.auth.createUser({ system: "test" }, { ...creds, roles: [] }, { ipAddress: null, userAgent: null });
    const run = await runCli(["send-reset-link", "--email", creds.email], { databaseUrl: database.url });
    expect(run.stderr).toBe("");
    expect(run.stdout).toContain(`Queued a password reset link for ${creds.email}`);
    expect(run.stdout).not.toMatch(/token=/);
    const [queued] = await api.store.listOutboxMails(creds.email);
    expect(queued).toMatchObject({ kind: "PASSWORD_RESET", subject: "Reset your password" });
    await api.app.mail!.runOnce(); // no SMTP_URL here: development delivers into the log
    expect((await api.store.listOutboxMails(creds.email))[0]).toMatchObject({ text: null, html: null });
    expect((await api.store.listOutboxMails(creds.email))[0]!.sentAt).not.toBeNull();
  });

  test("answers an unknown user, an unknown command and a bad option with clear messages and exit statuses", async () => {
    const unknownUser = await runCli(["list-sessions", "--email", "nobody@example.com"], { databaseUrl: database.url });
    expect(unknownUser.code).toBe(1);
    expect(unknownUser.stderr).toContain("No user with email nobody@example.com");
    const unknownCommand = await runCli(["frobnicate"], { databaseUrl: database.url });
    expect(unknownCommand.code).toBe(2);
    expect(unknownCommand.stderr).toMatch(/Unknown command "frobnicate"[\s\S]*Usage:/);
    const help = await runCli(["help"], { databaseUrl: database.url });
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/create-user[\s\S]*list-sessions[\s\S]*revoke-sessions[\s\S]*disable-user[\s\S]*enable-user/);
  });
});
