// Generates the Prisma clients (run by `npm install`). Prisma's CLI downloads native engines first; the
// PostgreSQL client needs none at run time (driver adapter + query compiler), so on a machine that cannot
// reach Prisma's CDN we retry with the placeholders Prisma documents for offline machines.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

const schemas = ["prisma/postgresql/schema.prisma", "prisma/mongodb/schema.prisma"].filter((path) => existsSync(path));
const offline = { PRISMA_QUERY_ENGINE_LIBRARY: "/bin/false", PRISMA_SCHEMA_ENGINE_BINARY: "/bin/false" };

function generate(schema, extraEnv) {
  const result = spawnSync("npx", ["--no-install", "prisma", "generate", "--no-hints", "--schema", schema], {
    env: { ...process.env, ...extraEnv, PRISMA_HIDE_UPDATE_MESSAGE: "1" },
    encoding: "utf8",
  });
  return { ok: result.status === 0, output: `${result.stdout ?? ""}${result.stderr ?? ""}` };
}

let usedPlaceholders = false;
for (const schema of schemas) {
  let result = generate(schema, {});
  if (!result.ok && /binaries\.prisma\.sh|ENOTFOUND|ECONNREFUSED|ETIMEDOUT|fetch failed/i.test(result.output)) {
    usedPlaceholders = true;
    result = generate(schema, offline);
  }
  if (!result.ok) {
    process.stderr.write(result.output);
    process.exit(1);
  }
  console.log(`prisma: generated the client for ${schema}`);
}
if (usedPlaceholders) {
  console.log("prisma: engines could not be downloaded (offline?); generated without them. PostgreSQL needs none; the MongoDB client needs Prisma's query engine to run.");
}
