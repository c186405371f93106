// Generates the Prisma clients (run by `npm install`). Prisma's CLI downloads native engines first; the
// PostgreSQL client needs none at run time (driver adapter + query compiler), so on a machine that cannot
// reach Prisma's CDN we retry with the placeholders Prisma documents for offline machines.
//
// Engines (issue 18): with network, `prisma generate` downloads the MongoDB client's query engine and copies
// it beside the generated client (src/generated/mongodb/libquery_engine-<platform>.so.node), where the client
// looks first; `npm run build` copies it into dist/ (scripts/copy-prisma-engines.mjs). Offline, generation
// copies the placeholder instead (a file named `false`), which is removed below: the MongoDB client then has
// no engine until one is provided, see README "MongoDB" (PRISMA_QUERY_ENGINE_LIBRARY).
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { basename, dirname, join } from "node:path";

const schemas = ["prisma/postgresql/schema.prisma", "prisma/mongodb/schema.prisma"].filter((path) => existsSync(path));
const offline = { PRISMA_QUERY_ENGINE_LIBRARY: "/bin/false", PRISMA_SCHEMA_ENGINE_BINARY: "/bin/false" };

function generate(schema, extraEnv) {
  const result = spawnSync("npx", ["--no-install", "prisma", "generate", "--no-hints", "--schema", schema], {
    env: { ...process.env, ...extraEnv, PRISMA_HIDE_UPDATE_MESSAGE: "1" },
    encoding: "utf8",
  });
  return { ok: result.status === 0, output: `${result.stdout ?? ""}${result.stderr ?? ""}` };
}

/** The generator's output folder, as the schema names it (relative to the schema). */
function outputOf(schema) {
  const output = /^\s*output\s*=\s*"([^"]+)"/m.exec(readFileSync(schema, "utf8"))?.[1];
  return output === undefined ? null : join(dirname(schema), output);
}

/**
 * Removes the copy of a placeholder engine (`/bin/false`) that generation put beside the client: it is no
 * engine, and the client would otherwise ship it. A real engine (a `.node` library) stays.
 */
function removePlaceholderCopy(schema, placeholder) {
  const output = outputOf(schema);
  if (output !== null && placeholder && !placeholder.endsWith(".node")) rmSync(join(output, basename(placeholder)), { force: true });
}

let usedPlaceholders = false;
for (const schema of schemas) {
  let result = generate(schema, {});
  let placeholder = process.env.PRISMA_QUERY_ENGINE_LIBRARY;
  if (!result.ok && /binaries\.prisma\.sh|ENOTFOUND|ECONNREFUSED|ETIMEDOUT|fetch failed/i.test(result.output)) {
    usedPlaceholders = true;
    placeholder = offline.PRISMA_QUERY_ENGINE_LIBRARY;
    result = generate(schema, offline);
  }
  if (!result.ok) {
    process.stderr.write(result.output);
    process.exit(1);
  }
  removePlaceholderCopy(schema, placeholder);
  console.log(`prisma: generated the client for ${schema}`);
}
if (usedPlaceholders) {
  console.log(
    "prisma: engines could not be downloaded (offline?); generated without them. PostgreSQL needs none; the MongoDB " +
      "client needs Prisma's query engine to run (README: MongoDB, PRISMA_QUERY_ENGINE_LIBRARY).",
  );
}
