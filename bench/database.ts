import { randomBytes } from "node:crypto";
import { chmod, readFile } from "node:fs/promises";
import path from "node:path";
import pg from "pg";
import { startEmbeddedPostgres } from "../src/storage/postgres/embedded.js";
import { findFreePort, isCleaningUp, onCleanup } from "./processes.js";

/** A PostgreSQL database for this run only: an embedded server in `tmp`, or a new database on the given server. */
export async function openBenchDatabase(tmp: string, givenUrl: string | undefined): Promise<{ url: string; description: string }> {
  if (givenUrl === undefined) {
    await chmod(tmp, 0o755); // as root, the embedded server runs as `postgres` and must reach its directory
    const server = await startEmbeddedPostgres({
      dataDir: path.join(tmp, "postgres"),
      port: await findFreePort(),
      database: "graphql_auth_bench",
      log: (message) => {
        if (message.startsWith("postgres:") && !isCleaningUp()) process.stderr.write(`[bench postgres] ${message}\n`);
      },
    });
    onCleanup(() => server.stop());
    return { url: server.url, description: "embedded PostgreSQL 17 in a temp dir" };
  }
  const name = `bench_${Date.now().toString(36)}_${randomBytes(3).toString("hex")}`;
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: givenUrl });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  try {
    await admin(`CREATE DATABASE ${name}`);
  } catch (error) {
    throw new Error(
      `could not create a temporary database on the given server (the role needs CREATEDB): ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  onCleanup(() => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  const url = new URL(givenUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), description: `temporary database ${name} on the given PostgreSQL` };
}

/** The embedded server's postmaster pid (for its CPU time), or null when it cannot be read. */
export async function readPostmasterPid(pgdata: string): Promise<number | null> {
  const first = (await readFile(path.join(pgdata, "postmaster.pid"), "utf8").catch(() => "")).split("\n")[0] ?? "";
  return /^\d+$/.test(first) ? Number(first) : null;
}
