import { describe, expect, test } from "vitest";
import {
  assertReplicaSet,
  ensureMongoIndexes,
  mongoIndexes,
  prepareMongoDatabase,
  MFA_CHALLENGE_RETENTION_SECONDS,
  RATE_LIMIT_RETENTION_SECONDS,
  type CommandRunner,
} from "./indexes.js";
import type { RawCommand } from "./raw-commands.js";

/** Records the commands; `answer` may throw or reply per command. */
function fakeDb(answer: (command: RawCommand) => unknown = () => ({ ok: 1 })): CommandRunner & { commands: RawCommand[] } {
  const commands: RawCommand[] = [];
  return {
    commands,
    async $runCommandRaw(command: RawCommand) {
      commands.push(command);
      return answer(command);
    },
  };
}

const options = { expiredRetentionSeconds: 3600 };

describe("mongoIndexes()", () => {
  test("has the unique email index and a username index that leaves accounts without one out", () => {
    const users = mongoIndexes(options).find((entry) => entry.collection === "users")!.indexes;
    expect(users).toContainEqual({ name: "users_email_key", key: { email: 1 }, unique: true });
    expect(users).toContainEqual({
      name: "users_username_key",
      key: { username: 1 },
      unique: true,
      partialFilterExpression: { username: { $type: "string" } },
    });
  });

  test("lets MongoDB delete sessions and refresh tokens the retention after they expired, mail tokens at once", () => {
    const ttl = mongoIndexes(options).flatMap(({ collection, indexes }) =>
      indexes.filter((index) => index.expireAfterSeconds !== undefined).map((index) => [collection, index.key, index.expireAfterSeconds]),
    );
    expect(ttl).toEqual([
      ["sessions", { expiresAt: 1 }, 3600],
      ["refresh_tokens", { expiresAt: 1 }, 3600],
      ["rate_limits", { expire: 1 }, RATE_LIMIT_RETENTION_SECONDS],
      ["mfa_challenges", { expiresAt: 1 }, MFA_CHALLENGE_RETENTION_SECONDS],
      ["mail_tokens", { expiresAt: 1 }, 0],
    ]);
  });

  test("creates rate_limits up front with a TTL on expire, which the limiter's purge also uses @see issue 18", () => {
    const rateLimits = mongoIndexes(options).find((entry) => entry.collection === "rate_limits")!.indexes;
    expect(rateLimits).toEqual([{ name: "rate_limits_expire_ttl", key: { expire: 1 }, expireAfterSeconds: 3600 }]);
  });

  test("indexes refresh tokens by session and names every index uniquely", () => {
    const all = mongoIndexes(options).flatMap((entry) => entry.indexes);
    expect(all).toContainEqual({ name: "refresh_tokens_sessionId_idx", key: { sessionId: 1 } });
    expect(new Set(all.map((index) => index.name)).size).toBe(all.length);
  });
});

describe("ensureMongoIndexes()", () => {
  test("sends one createIndexes per collection", async () => {
    const db = fakeDb();
    await ensureMongoIndexes(db, options);
    expect(db.commands.map((command) => command.createIndexes)).toEqual([
      "users",
      "sessions",
      "refresh_tokens",
      "rate_limits",
      "recovery_codes",
      "mfa_challenges",
      "mail_tokens",
      "mail_outbox",
      "audit_events",
    ]);
    expect(db.commands[0]!.indexes).toEqual(mongoIndexes(options)[0]!.indexes);
  });

  test("alters a TTL whose retention changed, then creates the rest", async () => {
    let conflicts = 1;
    const db = fakeDb((command) => {
      if (command.createIndexes === "sessions" && conflicts-- > 0) {
        throw new Error("Raw query failed. Code: `unknown`. Message: `Command failed (IndexOptionsConflict): An existing index has the same name …`");
      }
      return { ok: 1 };
    });
    await ensureMongoIndexes(db, options);
    const sessions = db.commands.filter((command) => command.createIndexes === "sessions" || command.collMod === "sessions");
    expect(sessions.map((command) => Object.keys(command)[0])).toEqual(["createIndexes", "collMod", "createIndexes"]);
    expect(sessions[1]).toEqual({ collMod: "sessions", index: { name: "sessions_expiresAt_ttl", expireAfterSeconds: 3600 } });
  });

  test("reports any other failure with the collection's name", async () => {
    const db = fakeDb((command) => {
      if (command.createIndexes === "users") throw new Error("E11000 duplicate key error collection: auth.users index: users_email_key");
      return { ok: 1 };
    });
    await expect(ensureMongoIndexes(db, options)).rejects.toThrow(/indexes of "users".*E11000/);
  });
});

describe("assertReplicaSet()", () => {
  test("accepts a replica set member and a mongos router", async () => {
    await expect(assertReplicaSet(fakeDb(() => ({ ok: 1, setName: "rs0", isWritablePrimary: true })))).resolves.toBeUndefined();
    await expect(assertReplicaSet(fakeDb(() => ({ ok: 1, msg: "isdbgrid", isWritablePrimary: true })))).resolves.toBeUndefined();
  });

  test("falls back to isMaster on a server without hello", async () => {
    const db = fakeDb((command) => {
      if ("hello" in command) throw new Error("no such command: 'hello'");
      return { ok: 1, ismaster: true, setName: "rs0" };
    });
    await expect(assertReplicaSet(db)).resolves.toBeUndefined();
    expect(db.commands).toEqual([{ hello: 1 }, { isMaster: 1 }]);
  });

  test("refuses a secondary reached through directConnection @see issue 18", async () => {
    const secondary = fakeDb(() => ({ ok: 1, setName: "rs0", isWritablePrimary: false, secondary: true }));
    await expect(assertReplicaSet(secondary)).rejects.toThrow(/not the writable primary/);
  });

  test("refuses a standalone server and says how to get a replica set", async () => {
    await expect(assertReplicaSet(fakeDb(() => ({ ok: 1, isWritablePrimary: true })))).rejects.toThrow(/replica set.*docker compose up -d mongo/);
  });
});

describe("prepareMongoDatabase()", () => {
  test("says how to provide Prisma's query engine when it is missing @see issue 18", async () => {
    const db = fakeDb(() => {
      throw new Error('Prisma Client could not locate the Query Engine for runtime "debian-openssl-3.0.x".');
    });
    await expect(prepareMongoDatabase(db, options)).rejects.toThrow(/query engine is missing.*PRISMA_QUERY_ENGINE_LIBRARY/);
  });

  test("checks the replica set, then creates the indexes", async () => {
    const db = fakeDb((command) => ("hello" in command ? { ok: 1, setName: "rs0", isWritablePrimary: true } : { ok: 1 }));
    await prepareMongoDatabase(db, options);
    expect(db.commands.map((command) => Object.keys(command)[0])).toEqual(["hello", ...mongoIndexes(options).map(() => "createIndexes")]);
  });
});
