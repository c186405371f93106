/**
 * The embedded PostgreSQL keeps its superuser password to itself (issue 19, Medium 3): initdb's password file is
 * never in the shared temp folder, the command-line tool's discovery sends no credential to whatever listens on
 * the port, and the app connects as a role that is not a superuser.
 * @see issue 19
 */
import { watch } from "node:fs";
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, expect, test } from "vitest";
import { findFreePort } from "../../bench/processes.js";
import { findRunningEmbeddedPostgres, startEmbeddedPostgres, type EmbeddedPostgresServer } from "../../src/storage/postgres/embedded.js";
import { migratePostgres } from "../../src/storage/postgres/migrate.js";

let dataDir: string;
let port: number;
let server: EmbeddedPostgresServer;
const tempFilesSeen: string[] = [];

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), "auth-embedded-security-"));
  port = await findFreePort();
  // a temp folder of this test's own (os.tmpdir() follows TMPDIR), watched while the cluster is initialised
  const sharedTemp = await mkdtemp(path.join(tmpdir(), "auth-embedded-shared-tmp-"));
  await chmod(sharedTemp, 0o1777); // shared like /tmp
  const previous = process.env.TMPDIR;
  process.env.TMPDIR = sharedTemp;
  const watcher = watch(sharedTemp, (_event, name) => void (name && tempFilesSeen.push(name)));
  try {
    server = await startEmbeddedPostgres({ dataDir, port, database: "app", settings: { fsync: "off" }, log: () => undefined });
  } finally {
    watcher.close();
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    await rm(sharedTemp, { recursive: true, force: true });
  }
}, 60_000);

afterAll(async () => {
  await server?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

test("initdb's superuser password file never appears in the shared temp folder", () => {
  expect(tempFilesSeen.filter((name) => name.startsWith("pg-password-"))).toEqual([]);
});

test("the app connects as a role that is no superuser, cannot create databases, and owns its schema", async () => {
  expect(new URL(server.url).username).not.toBe("postgres");
  await migratePostgres(server.url, () => undefined);
  const client = new pg.Client({ connectionString: server.url });
  await client.connect();
  try {
    const { rows } = await client.query("SELECT rolsuper, rolcreatedb, rolcreaterole FROM pg_roles WHERE rolname = current_user");
    expect(rows[0]).toEqual({ rolsuper: false, rolcreatedb: false, rolcreaterole: false });
    await expect(client.query("CREATE DATABASE escape_attempt")).rejects.toThrow(/permission denied/);
    await expect(client.query("SELECT pg_read_file('postmaster.pid')")).rejects.toThrow(/permission denied/);
    const owners = await client.query("SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'");
    expect(owners.rows).toEqual([{ tableowner: new URL(server.url).username }]);
  } finally {
    await client.end();
  }
});

test("the command-line tool's discovery finds the running server, as the app's role", async () => {
  expect(await findRunningEmbeddedPostgres({ dataDir, port, database: "app" })).toBe(server.url);
});

test("discovery sends nothing to a listener on the port when the cluster is not running there", async () => {
  const received: Buffer[] = [];
  const sockets: Socket[] = [];
  const fake = createServer((socket) => {
    sockets.push(socket);
    socket.on("data", (chunk) => received.push(chunk));
  });
  const fakePort = await findFreePort();
  await new Promise<void>((resolve) => fake.listen(fakePort, "127.0.0.1", resolve));
  const stoppedDir = await mkdtemp(path.join(tmpdir(), "auth-embedded-stopped-"));
  try {
    await writeFile(path.join(stoppedDir, "app-password"), "secret-that-must-not-leak\n", { mode: 0o600 });
    expect(await findRunningEmbeddedPostgres({ dataDir: stoppedDir, port: fakePort })).toBeNull();
    // the real cluster's pid file names another port: nothing is sent to the fake one either
    expect(await findRunningEmbeddedPostgres({ dataDir, port: fakePort })).toBeNull();
    expect(sockets).toHaveLength(0);
    expect(Buffer.concat(received).toString()).toBe("");
  } finally {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => fake.close(resolve));
    await rm(stoppedDir, { recursive: true, force: true });
  }
});
