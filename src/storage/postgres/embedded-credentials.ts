import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmod, chown, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import pg from "pg";

// The embedded PostgreSQL's credentials (issue 19): the superuser's password never leaves the data folder, and
// the app connects as a role of its own that owns the app's schema and nothing else.

/** The role the app connects as; its password is kept in `dataDir/app-password` (0600). */
export const APP_ROLE = "graphql_auth_app";

/**
 * Runs initdb with its superuser password file in a private folder (0700) inside `dataDir`, not in the shared
 * temp folder where the library writes it world-readable. The library takes the folder from os.tmpdir(), which
 * reads TMPDIR on every call. As root, initdb runs as `postgres`, so the folder is handed to that user.
 */
export async function initialiseWithPrivatePasswordFile(server: { initialise(): Promise<void> }, dataDir: string): Promise<void> {
  const privateDir = path.resolve(dataDir, `initdb-${randomBytes(6).toString("hex")}`);
  await mkdir(privateDir, { mode: 0o700 });
  await chmod(privateDir, 0o700);
  const previous = process.env.TMPDIR;
  try {
    if (process.getuid?.() === 0) {
      const owner = await postgresSystemUser();
      if (owner) await chown(privateDir, owner.uid, owner.gid);
    }
    process.env.TMPDIR = privateDir;
    await server.initialise();
  } finally {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    await rm(privateDir, { recursive: true, force: true });
  }
}

/** The `postgres` system user, created as the library would when missing; null where it cannot be made. */
async function postgresSystemUser(): Promise<{ uid: number; gid: number } | null> {
  const lookup = async () => {
    const [uid, gid] = await Promise.all([run("id", ["-u", "postgres"]), run("id", ["-g", "postgres"])]);
    return { uid: Number(uid), gid: Number(gid) };
  };
  try {
    return await lookup();
  } catch {
    try {
      await run("groupadd", ["postgres"]);
      await run("useradd", ["-g", "postgres", "postgres"]);
      return await lookup();
    } catch {
      return null;
    }
  }
}

function run(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => execFile(command, args, (error, stdout) => (error ? reject(error) : resolve(stdout.trim()))));
}

/** The secret in `file` (0600), made on first use. */
export async function readOrCreateSecret(file: string): Promise<string> {
  try {
    return (await readFile(file, "utf8")).trim();
  } catch {
    const secret = randomBytes(24).toString("hex");
    await writeFile(file, `${secret}\n`, { mode: 0o600 });
    await chmod(file, 0o600);
    return secret;
  }
}

/**
 * Makes the app's role (LOGIN, no superuser, no CREATEDB/CREATEROLE) the owner of the app database's `public`
 * schema and of everything in it, so the app can migrate its own tables and nothing else on the server. Tables an
 * earlier version created as the superuser are handed over. Idempotent; run at every start as the superuser.
 */
export async function ensureAppRole(adminUrl: string, appPassword: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const role = client.escapeIdentifier(APP_ROLE);
    const exists = await client.query("SELECT 1 FROM pg_roles WHERE rolname = $1", [APP_ROLE]);
    const verb = exists.rowCount === 0 ? "CREATE" : "ALTER";
    await client.query(
      `${verb} ROLE ${role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD ${client.escapeLiteral(appPassword)}`,
    );
    await client.query(`ALTER SCHEMA public OWNER TO ${role}`);
    await client.query(`
      DO $$ DECLARE r record; BEGIN
        FOR r IN SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'S', 'v', 'm') AND pg_get_userbyid(c.relowner) <> ${client.escapeLiteral(APP_ROLE)} LOOP
          EXECUTE format('ALTER TABLE public.%I OWNER TO ${APP_ROLE}', r.relname);
        END LOOP;
        FOR r IN SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
          WHERE n.nspname = 'public' AND t.typtype = 'e' AND pg_get_userbyid(t.typowner) <> ${client.escapeLiteral(APP_ROLE)} LOOP
          EXECUTE format('ALTER TYPE public.%I OWNER TO ${APP_ROLE}', r.typname);
        END LOOP;
      END $$`);
    await client.query(`GRANT CONNECT, TEMPORARY ON DATABASE ${client.escapeIdentifier(new URL(adminUrl).pathname.slice(1) || "postgres")} TO ${role}`);
  } finally {
    await client.end();
  }
}
