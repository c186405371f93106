import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { findFreePort } from "../../bench/processes.js";
import { startEmbeddedPostgres } from "../../src/storage/postgres/embedded.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** URL of a PostgreSQL server where tests may create and drop databases (see test/support/postgres.ts). */
    postgresAdminUrl: string;
  }
}

/**
 * Vitest globalSetup: one PostgreSQL server for the whole run. `TEST_DATABASE_URL` (a role allowed to
 * CREATE DATABASE) selects an existing server; otherwise an embedded PostgreSQL starts in a fresh temp dir
 * on a free port and is stopped and deleted afterwards.
 */
export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const existing = process.env.TEST_DATABASE_URL;
  if (existing) {
    project.provide("postgresAdminUrl", existing);
    return undefined;
  }
  const dataDir = await mkdtemp(path.join(tmpdir(), "auth-test-postgres-"));
  const verbose = Boolean(process.env.DEBUG_POSTGRES);
  const server = await startEmbeddedPostgres({
    dataDir,
    port: await findFreePort(),
    database: "postgres",
    // A throw-away cluster: durability buys nothing here, and CREATE DATABASE per test gets much cheaper.
    settings: { fsync: "off", synchronous_commit: "off", full_page_writes: "off" },
    log: (msg) => {
      if (verbose || msg.startsWith("postgres:")) console.log(`[test postgres] ${msg}`);
    },
  }).catch(async (error: unknown) => {
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  });
  project.provide("postgresAdminUrl", server.adminUrl);
  return async () => {
    await server.stop();
    await rm(dataDir, { recursive: true, force: true });
  };
}
