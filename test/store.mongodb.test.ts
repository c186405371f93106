/**
 * The store contract suite against MongoDB. It needs a replica set (Prisma runs transactions only there) and
 * Prisma's native query engine, so it runs only when MONGODB_URL is set, e.g. after `docker compose up -d mongo`:
 *
 *   MONGODB_URL="mongodb://localhost:27017/auth?replicaSet=rs0&directConnection=true" npx vitest run test/store.mongodb.test.ts
 *
 * Otherwise every contract test is reported as skipped, with the reason in the suite's name and on stderr.
 * A run works in a database of its own (named after MONGODB_URL's, plus a run id), emptied before each test and
 * dropped at the end.
 */
import { randomBytes } from "node:crypto";
import { afterAll, describe } from "vitest";
import type { PrismaClient } from "../src/generated/mongodb/client.js";
import type { MongoStore } from "../src/storage/mongodb/mongodb-store.js";
import { mongoDatabaseName, withMongoDatabase } from "../src/storage/mongodb/url.js";
import { describeStoreContract } from "./store-contract.js";

const baseUrl = process.env.MONGODB_URL ?? "";
const COLLECTIONS = ["users", "sessions", "refresh_tokens", "audit_events", "rate_limits"];
const SKIP_REASON =
  "skipped: MONGODB_URL is not set; run `docker compose up -d mongo` and " +
  'MONGODB_URL="mongodb://localhost:27017/auth?replicaSet=rs0&directConnection=true" npm test';

if (baseUrl === "") console.warn(`MongoDB store contract ${SKIP_REASON}`);

interface TestDatabase {
  store: MongoStore;
  /** A second client on the same database, for emptying and dropping it (the Store has no such method). */
  admin: PrismaClient;
}

let opened: Promise<TestDatabase> | undefined;

async function openTestDatabase(): Promise<TestDatabase> {
  // Imported here, so that a run without MONGODB_URL never loads the MongoDB client.
  const { PrismaClient } = await import("../src/generated/mongodb/client.js");
  const { createMongoStore } = await import("../src/storage/mongodb/mongodb-store.js");
  const base = (mongoDatabaseName(baseUrl) || "auth").slice(0, 20);
  const url = withMongoDatabase(baseUrl, `${base}_test_${Date.now().toString(36)}_${randomBytes(3).toString("hex")}`);
  const store = createMongoStore({ url, poolSize: 8 });
  await store.ensureIndexes();
  return { store, admin: new PrismaClient({ datasourceUrl: url }) };
}

describe.skipIf(baseUrl === "")(baseUrl === "" ? `MongoDB store contract (${SKIP_REASON})` : "MongoDB store contract", () => {
  afterAll(async () => {
    if (opened === undefined) return;
    const { store, admin } = await opened;
    await admin.$runCommandRaw({ dropDatabase: 1 });
    await Promise.all([store.close(), admin.$disconnect()]);
  });

  describeStoreContract("mongodb", async () => {
    opened ??= openTestDatabase();
    const { store, admin } = await opened;
    for (const collection of COLLECTIONS) await admin.$runCommandRaw({ delete: collection, deletes: [{ q: {}, limit: 0 }] });
    // The store stays open for the next test; afterAll closes it and drops the database.
    return { store, cleanup: async () => {} };
  });
});
