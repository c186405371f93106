import { parseArgs } from "node:util";
import { CLI_ACTOR } from "../auth/actor.js";
import type { Auth } from "../auth/auth.js";
import type { ClientInfo } from "../auth/principal.js";
import { MAX_SESSIONS_PAGE } from "../auth/session-management.js";
import type { SessionRecord, UserRecord } from "../auth/ports/store.js";

/** What a command needs: the auth core, where to print, how to get a password. */
export interface CliContext {
  /** Opens the database on first use, so nothing waits on it while the operator types. */
  auth(): Promise<Auth>;
  print(line: string): void;
  readPassword(options: { prompt: string; confirm: boolean }): Promise<string>;
}

/** A mistake in the command line itself: usage is shown, exit status 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** An operation that could not be done (no such user…): exit status 1. */
export class CommandError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CommandError";
  }
}

type Options = Record<string, { type: "string" | "boolean"; multiple?: boolean }>;
type Command = { summary: string; usage: string; options: Options; run(ctx: CliContext, values: Values): Promise<void> };
type Values = Record<string, string | boolean | string[] | undefined>;

// the operator at a terminal: no address or browser to record; audit events name the actor "cli"
const CLI_CLIENT: ClientInfo = { ipAddress: null, userAgent: null };
const TARGET: Options = { email: { type: "string" }, "user-id": { type: "string" } };

/** Every command, by name. */
export const COMMANDS: Record<string, Command> = {
  "create-user": {
    summary: "Create a user (e.g. the first ADMIN); the password is prompted for, or read from stdin",
    usage: 'create-user --email E [--username U] [--role ROLE]... [--profile \'{"k":"v"}\']',
    options: { email: { type: "string" }, username: { type: "string" }, role: { type: "string", multiple: true }, profile: { type: "string" } },
    async run(ctx, values) {
      const email = required(values, "email");
      const profile = parseProfile(values.profile as string | undefined);
      const password = await ctx.readPassword({ prompt: `Password for ${email}: `, confirm: true });
      const roles = (values.role as string[] | undefined) ?? [];
      const user = await (await ctx.auth()).createUser(
        CLI_ACTOR,
        { email, username: values.username as string | undefined, roles, profile, password },
        CLI_CLIENT,
      );
      ctx.print(`Created user ${user.id} (${user.email})${user.roles.length > 0 ? ` with roles ${user.roles.join(", ")}` : ""}`);
    },
  },
  "list-sessions": {
    summary: "List a user's sessions, newest first",
    usage: "list-sessions (--email E | --user-id ID) [--json]",
    options: { ...TARGET, json: { type: "boolean" } },
    async run(ctx, values) {
      const user = await targetUser(ctx, values);
      const sessions = await (await ctx.auth()).listSessions(CLI_ACTOR, user.id, { limit: MAX_SESSIONS_PAGE });
      if (values.json) return ctx.print(JSON.stringify(sessions.map(publicSession), null, 2));
      if (sessions.length === 0) return ctx.print(`${user.email} has no sessions`);
      ctx.print(formatTable(sessions));
    },
  },
  "revoke-sessions": {
    summary: "Revoke all of a user's active sessions, or one of them",
    usage: "revoke-sessions (--email E | --user-id ID) [--session-id S]",
    options: { ...TARGET, "session-id": { type: "string" } },
    async run(ctx, values) {
      const user = await targetUser(ctx, values);
      const auth = await ctx.auth();
      const sessionId = values["session-id"] as string | undefined;
      if (sessionId === undefined) {
        const count = await auth.revokeUserSessions(CLI_ACTOR, user.id, CLI_CLIENT);
        return ctx.print(`Revoked ${count} active session(s) of ${user.email}`);
      }
      const owned = (await auth.listSessions(CLI_ACTOR, user.id, { limit: MAX_SESSIONS_PAGE })).some((session) => session.id === sessionId);
      if (!owned) throw new CommandError(`${user.email} has no session ${sessionId}`);
      const session = await auth.revokeSession(CLI_ACTOR, sessionId, CLI_CLIENT);
      ctx.print(session.status === "REVOKED" ? `Revoked session ${sessionId}` : `Session ${sessionId} had already ended (${session.status})`);
    },
  },
  "disable-user": {
    summary: "Disable a user: their tokens stop working at once and they cannot log in",
    usage: "disable-user (--email E | --user-id ID)",
    options: TARGET,
    async run(ctx, values) {
      const user = await (await ctx.auth()).disableUser(CLI_ACTOR, (await targetUser(ctx, values)).id, CLI_CLIENT);
      ctx.print(`Disabled ${user.email}; all their sessions are revoked`);
    },
  },
  "enable-user": {
    summary: "Let a disabled user log in again",
    usage: "enable-user (--email E | --user-id ID)",
    options: TARGET,
    async run(ctx, values) {
      const user = await (await ctx.auth()).enableUser(CLI_ACTOR, (await targetUser(ctx, values)).id, CLI_CLIENT);
      ctx.print(`Enabled ${user.email}`);
    },
  },
  "reset-mfa": {
    summary: "Turn a user's TOTP off (lost device and recovery codes) and end their sessions; audited",
    usage: "reset-mfa (--email E | --user-id ID)",
    options: TARGET,
    async run(ctx, values) {
      const user = await targetUser(ctx, values);
      const reset = await (await ctx.auth()).resetMfa(CLI_ACTOR, user.id, CLI_CLIENT);
      ctx.print(reset ? `Turned TOTP off for ${user.email}; all their sessions are revoked` : `${user.email} had no TOTP; nothing changed`);
    },
  },
  "send-reset-link": {
    summary: "Mail a user a password reset link (queued; a running API instance delivers it)",
    usage: "send-reset-link (--email E | --user-id ID)",
    options: TARGET,
    async run(ctx, values) {
      const user = await targetUser(ctx, values);
      const queued = await (await ctx.auth()).sendPasswordResetLink(CLI_ACTOR, user.id, CLI_CLIENT);
      if (!queued) throw new CommandError("Mail is off (MAIL_ENABLED=false): no link was sent");
      ctx.print(`Queued a password reset link for ${user.email}; the API's mail outbox delivers it`);
    },
  },
  "delete-user": {
    summary: "Delete a user with their sessions (their audit events stay)",
    usage: "delete-user (--email E | --user-id ID) --yes",
    options: { ...TARGET, yes: { type: "boolean" } },
    async run(ctx, values) {
      if (!values.yes) throw new UsageError("delete-user cannot be undone: add --yes to confirm");
      const user = await targetUser(ctx, values);
      await (await ctx.auth()).deleteUser(CLI_ACTOR, user.id, CLI_CLIENT);
      ctx.print(`Deleted ${user.email}`);
    },
  },
};

/** Parses a command's options strictly; unknown options and stray arguments are usage errors. */
export function parseCommandArgs(command: Command, args: string[]): Values {
  if (args.some((arg) => /^--?password\b/i.test(arg))) {
    throw new UsageError(
      "Passwords are never taken from the command line (they would show in `ps` and shell history): type it at the prompt, or pipe it on stdin",
    );
  }
  try {
    return parseArgs({ args, options: command.options, strict: true, allowPositionals: false }).values as Values;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** The help text. */
export function usage(): string {
  const lines = Object.values(COMMANDS).flatMap((command) => [`  ${command.usage}`, `      ${command.summary}`]);
  return [
    "Usage: npm run cli -- <command> [options]",
    "",
    "Commands:",
    ...lines,
    "  help",
    "      Show this help",
    "",
    "Uses the API's configuration (DATABASE_URL, or the embedded PostgreSQL in DATA_DIR, shared with a running `npm start`).",
    "Exit status: 0 done, 1 refused (see the message), 2 bad usage, 69 database unreachable, 78 bad configuration.",
  ].join("\n");
}

function required(values: Values, name: string): string {
  const value = values[name];
  if (typeof value !== "string" || value.trim() === "") throw new UsageError(`--${name} is required`);
  return value;
}

function parseProfile(raw: string | undefined): Record<string, unknown> | undefined {
  if (raw === undefined) return undefined;
  try {
    return JSON.parse(raw) as Record<string, unknown>;
  } catch {
    throw new UsageError(`--profile must be a JSON object, like '{"displayName":"Ada"}'`);
  }
}

async function targetUser(ctx: CliContext, values: Values): Promise<UserRecord> {
  const email = values.email as string | undefined;
  const id = values["user-id"] as string | undefined;
  if ((email === undefined) === (id === undefined)) throw new UsageError("Name the user with exactly one of --email or --user-id");
  const user = await (await ctx.auth()).findUser(CLI_ACTOR, email !== undefined ? { email } : { id: id! });
  if (!user) throw new CommandError(`No user with ${email !== undefined ? `email ${email}` : `id ${id}`}`);
  return user;
}

function publicSession(session: SessionRecord) {
  const { id, status, createdAt, lastUsedAt, expiresAt, endedAt, ipAddress, userAgent } = session;
  return { id, status, createdAt, lastUsedAt, expiresAt, endedAt, ipAddress, userAgent };
}

function formatTable(sessions: SessionRecord[]): string {
  const time = (date: Date | null) => (date ? date.toISOString().slice(0, 19).replace("T", " ") : "-");
  const rows = [
    ["SESSION", "STATUS", "CREATED (UTC)", "LAST USED", "EXPIRES", "IP ADDRESS", "USER AGENT"],
    ...sessions.map((s) => [s.id, s.status, time(s.createdAt), time(s.lastUsedAt), time(s.expiresAt), s.ipAddress ?? "-", (s.userAgent ?? "-").slice(0, 60)]),
  ];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column]!))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}
