/**
 * The GitHub workflow is validated here, offline, by @action-validator/cli (GitHub's workflow schema compiled to
 * WebAssembly): a broken workflow fails `npm test` on the machine that changed it, not on GitHub later.
 * @see issue 16
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";

const WORKFLOWS = ".github/workflows";
const CLI = "node_modules/@action-validator/cli/cli.mjs";
const scratch = mkdtempSync(join(tmpdir(), "workflow-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function validate(path: string): { status: number | null; output: string } {
  const result = spawnSync(process.execPath, [CLI, path], { encoding: "utf8" });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe("GitHub workflows", () => {
  const files = readdirSync(WORKFLOWS).filter((name) => /\.ya?ml$/.test(name));

  test.each(files)("%s is a valid workflow", (name) => {
    const { status, output } = validate(join(WORKFLOWS, name));
    expect(output).toBe("");
    expect(status).toBe(0);
  });

  test("the validator rejects a job with a misspelt key, so a pass above means something", () => {
    const broken = readFileSync(join(WORKFLOWS, "ci.yml"), "utf8").replace("    runs-on: ubuntu-latest\n", "    runs_on: ubuntu-latest\n");
    writeFileSync(join(scratch, "broken.yml"), broken);
    const { status, output } = validate(join(scratch, "broken.yml"));
    expect(status).toBe(1);
    expect(output).toContain("runs_on");
  });

  test("ci.yml runs npm test on Node 20 and 22 with PostgreSQL, and the store contract on a MongoDB 7 replica set", () => {
    const ci = readFileSync(join(WORKFLOWS, "ci.yml"), "utf8");
    expect(ci).toMatch(/node: \[20, 22\]/);
    expect(ci).toMatch(/image: postgres:17/);
    expect(ci).toMatch(/run: npm test$/m);
    expect(ci).toMatch(/mongo:7 --replSet rs0/);
    expect(ci).toMatch(/MONGODB_URL: mongodb:\/\/localhost:27017\/auth\?replicaSet=rs0/);
    expect(ci).toMatch(/vitest run .*test\/store\.mongodb\.test\.ts/);
  });
});
