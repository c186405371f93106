// Run by `npm run build`: copies the MongoDB client's native query engine, which `prisma generate` put beside
// the generated client, into dist/ beside the compiled client, where the built app looks for it first. Without
// it the built app finds the engine only while the checkout it was generated in still exists (Prisma also
// searches the generator's absolute output path), which a container image built from dist/ alone does not have.
import { copyFileSync, existsSync, readdirSync } from "node:fs";
import { join } from "node:path";

const from = "src/generated/mongodb";
const to = "dist/src/generated/mongodb";
const engines = existsSync(from) ? readdirSync(from).filter((name) => /^(lib)?query[-_]engine.*\.node$/.test(name)) : [];
if (engines.length === 0) {
  console.log(`prisma: no query engine in ${from} (generated offline?); the built MongoDB client needs PRISMA_QUERY_ENGINE_LIBRARY`);
} else if (existsSync(to)) {
  for (const name of engines) copyFileSync(join(from, name), join(to, name));
  console.log(`prisma: copied ${engines.join(", ")} to ${to}`);
}
