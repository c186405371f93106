/** Compiles what the benchmark runs: the production build (`npm run build`), then the two baseline servers beside it. */
import { spawn } from "node:child_process";
import { stat } from "node:fs/promises";
import path from "node:path";

function run(command: string, args: string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ["ignore", "inherit", "inherit"] });
    child.once("error", reject);
    child.once("exit", (code) => (code === 0 ? resolve() : reject(new Error(`${command} ${args.join(" ")} failed (exit ${code})`))));
  });
}

/** The compiled entry points the benchmark starts with plain `node`. */
export interface BenchBuild {
  api: string;
  baseline: string;
  apolloBaseline: string;
}

/**
 * Runs `npm run build` (dist/src, exactly what production runs) and compiles bench/*-server.ts with the same
 * compiler settings into dist/bench; with `reuse`, checks only that an earlier build is there.
 */
export async function buildForBench(root: string, reuse: boolean): Promise<BenchBuild> {
  const build: BenchBuild = {
    api: path.join(root, "dist/src/main.js"),
    baseline: path.join(root, "dist/bench/baseline-server.js"),
    apolloBaseline: path.join(root, "dist/bench/apollo-baseline-server.js"),
  };
  if (!reuse) {
    await run("npm", ["run", "--silent", "build"], root);
    await run(process.execPath, [path.join(root, "node_modules/typescript/bin/tsc"), "-p", path.join(root, "bench/tsconfig.json")], root);
  }
  for (const file of Object.values(build)) {
    await stat(file).catch(() => {
      throw new Error(`${path.relative(root, file)} is missing: run without BENCH_BUILD=0 to build it`);
    });
  }
  return build;
}
