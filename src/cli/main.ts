import { randomBytes } from "node:crypto";
import { createAuthDeps } from "../auth-deps.js";
import { createAuth, type Auth } from "../auth/auth.js";
import { AuthError } from "../auth/errors.js";
import { ConfigError, loadConfig, type Config } from "../config.js";
import { createLogger } from "../logger.js";
import { openStore, type OpenStore } from "../storage/open-store.js";
import { StoreUnavailableError } from "../auth/ports/store.js";
import { COMMANDS, CommandError, parseCommandArgs, usage, UsageError } from "./commands.js";
import { PasswordInputError, readPassword } from "./read-password.js";

// sysexits.h, as the API's own start-up uses EX_CONFIG
const EXIT = { ok: 0, refused: 1, usage: 2, unavailable: 69, software: 70, config: 78, interrupted: 130 } as const;

let opened: { database: OpenStore; auth: Auth } | null = null;

/** The operator's tool: `npm run cli -- <command>`. Runs the API's own use cases as the system actor. */
async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === "help" || name === "--help" || name === "-h") {
    process.stdout.write(`${usage()}\n`);
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  const command = COMMANDS[name];
  if (!command) throw new UsageError(`Unknown command "${name}"`);
  const values = parseCommandArgs(command, args);
  const config = loadConfig(process.env);

  let auth: Promise<Auth> | undefined;
  try {
    await command.run({ auth: () => (auth ??= openAuth(config)), print: (line) => process.stdout.write(`${line}\n`), readPassword }, values);
    return EXIT.ok;
  } finally {
    await closeDatabase();
  }
}

async function openAuth(config: Config): Promise<Auth> {
  // quiet by default: the operator wants the answer, not start-up chatter; LOG_LEVEL still applies when set
  const log = createLogger({ level: process.env.LOG_LEVEL ? config.logLevel : "warn", json: false });
  const database = await openStore(config, log, { shareRunningEmbedded: true });
  // the CLI never signs nor verifies a token, so it needs no real secret
  const deps = createAuthDeps({ config, jwtSecret: config.jwt.secret ?? randomBytes(32).toString("hex"), store: database.store, log });
  const auth = createAuth(deps);
  opened = { database, auth };
  return auth;
}

async function closeDatabase(): Promise<void> {
  const current = opened;
  opened = null;
  if (!current) return;
  await current.auth.close();
  await current.database.close(); // stops the embedded PostgreSQL when this process started it
}

function exitCodeFor(error: unknown): number {
  if (error instanceof UsageError) {
    process.stderr.write(`error: ${error.message}\n\n${usage()}\n`);
    return EXIT.usage;
  }
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    return EXIT.config;
  }
  if (error instanceof AuthError || error instanceof CommandError || error instanceof PasswordInputError) {
    process.stderr.write(`error: ${error.message}\n`);
    return EXIT.refused;
  }
  if (error instanceof StoreUnavailableError || isConnectionError(error)) {
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
    process.stderr.write(`error: the database cannot be reached (${cause instanceof Error ? cause.message : String(cause)})\n`);
    return EXIT.unavailable;
  }
  process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
  return EXIT.software;
}

function isConnectionError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && ["ECONNREFUSED", "ENOTFOUND", "ETIMEDOUT", "EHOSTUNREACH", "57P03"].includes(code);
}

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  // without this an interrupted run would leave the embedded PostgreSQL it started running
  process.once(signal, () => void closeDatabase().finally(() => process.exit(EXIT.interrupted)));
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  async (error: unknown) => {
    await closeDatabase().catch(() => undefined);
    process.exit(exitCodeFor(error));
  },
);
