/**
 * The examples are tests: `npm pack` this package, install the tarball into examples/code-first and
 * examples/schema-first as a team would, and run each example's own test (real HTTP) on a fresh database.
 * @see issue 11
 */
import { spawn } from "node:child_process";
import { mkdir, readdir, rename, rm } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createTestDatabase, type TestDatabase } from "./support/postgres.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const PACK_DIR = path.join(ROOT, "examples", ".pack");
const EXAMPLES = ["code-first", "schema-first"];
const MINUTES = 60_000;

/** Runs a command to its end; rejects with its output when it fails. */
function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve(output) : reject(new Error(`${command} ${args.join(" ")} in ${cwd} exited ${code}:\n${output}`))));
  });
}

beforeAll(async () => {
  await rm(PACK_DIR, { recursive: true, force: true });
  await mkdir(PACK_DIR, { recursive: true });
  // prepack builds dist/ first, as it does before a publish
  await run("npm", ["pack", "--silent", "--pack-destination", PACK_DIR], ROOT);
  const [tarball] = (await readdir(PACK_DIR)).filter((name) => name.endsWith(".tgz"));
  await rename(path.join(PACK_DIR, tarball!), path.join(PACK_DIR, "graphql-auth-api.tgz"));
  await Promise.all(
    EXAMPLES.map(async (example) => {
      const dir = path.join(ROOT, "examples", example);
      await rm(path.join(dir, "node_modules"), { recursive: true, force: true });
      await run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", "--no-package-lock"], dir);
    }),
  );
}, 8 * MINUTES);

describe.each(EXAMPLES)("examples/%s", (example) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase({ migrate: false }); // the example's createAuthService migrates it
  });
  afterAll(async () => {
    await database?.drop();
  });

  test(
    "installs from the tarball and passes its own HTTP tests",
    async () => {
      const output = await run("npm", ["test"], path.join(ROOT, "examples", example), { ...process.env, DATABASE_URL: database.url });
      expect(output).toMatch(/# fail 0/);
      expect(output).toMatch(/# pass [1-9]/);
    },
    3 * MINUTES,
  );
});
