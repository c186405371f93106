/**
 * The MongoDB store's null rule (issue 18), checked without a server: the store runs a scenario that touches
 * every method on a recording Prisma client (typed as the generated PrismaClient), and the recorded calls are
 * checked against prisma/mongodb/schema.prisma. Prisma's MongoDB `create` writes only the fields it is given, and
 * `{ field: null }` does not match an absent field, so a create that leaves a nullable field out breaks every
 * later filter on it: the first renewal of every session was refused as token reuse that way.
 * @see issue 18
 */
import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { Prisma, type PrismaClient } from "../../generated/mongodb/client.js";
import { createPrismaRateLimiters } from "./rate-limiters.js";
import { MongoStore } from "./mongodb-store.js";

const STORE_DIR = import.meta.dirname;
const ROOT = join(STORE_DIR, "../../..");
const CREATES = new Set(["create", "createMany", "upsert"]);

type Doc = Record<string, unknown>;
interface RecordedCall {
  model: Prisma.ModelName;
  operation: string;
  args: Doc;
  /** `src/storage/mongodb/<file>:<line>` of the store's code that made the call. */
  site: string;
}

/** model → its nullable scalar fields, read from the schema and checked against the generated client. */
function nullableFieldsBySchema(): Map<Prisma.ModelName, string[]> {
  const schema = readFileSync(join(ROOT, "prisma/mongodb/schema.prisma"), "utf8");
  const models = Object.values(Prisma.ModelName);
  const result = new Map<Prisma.ModelName, string[]>();
  for (const model of models) {
    const body = new RegExp(`^model ${model} \\{([\\s\\S]*?)^\\}`, "m").exec(schema)?.[1] ?? "";
    const fields = [...body.matchAll(/^\s+(\w+)\s+(\w+)(\[\])?(\?)?/gm)].filter((field) => !(models as string[]).includes(field[2]!));
    // The parse must see exactly the generated client's scalar fields, or the check below would miss some.
    const generated = Object.values((Prisma as unknown as Record<string, Record<string, string>>)[`${model}ScalarFieldEnum`]!);
    expect(fields.map((field) => field[1]).sort(), `fields of ${model}`).toEqual([...generated].sort());
    result.set(
      model,
      fields.filter((field) => field[4] === "?").map((field) => field[1]!),
    );
  }
  return result;
}

/** The line of the store's own code (not this test) in the current stack. */
function callSite(): string {
  for (const line of new Error().stack!.split("\n").slice(2)) {
    const match = /([^\s()]*\/src\/storage\/mongodb\/[^/\s()]+\.ts):(\d+):\d+/.exec(line);
    if (match !== null && !match[1]!.endsWith(".test.ts")) return `${relative(ROOT, match[1]!)}:${match[2]}`;
  }
  return "(unknown)";
}

/** Does `doc` satisfy the plain equalities and `in` lists of `where`? Other conditions are not evaluated. */
function matches(doc: Doc, where: Doc | undefined): boolean {
  return Object.entries(where ?? {}).every(([key, value]) => {
    if (["string", "number", "boolean"].includes(typeof value)) return doc[key] === value;
    if (value !== null && typeof value === "object" && Array.isArray((value as Doc).in)) return ((value as Doc).in as unknown[]).includes(doc[key]);
    return true;
  });
}

/**
 * A PrismaClient that records every model call and answers from documents it keeps, enough to carry the store
 * through its paths (creates are echoed, updates count the matches); `$transaction` runs its callback on itself.
 */
function recordingClient(): { client: PrismaClient; calls: RecordedCall[] } {
  const calls: RecordedCall[] = [];
  const docs = new Map<string, Map<string, Doc>>(Object.values(Prisma.ModelName).map((model) => [model, new Map()]));
  const idOf = (model: Prisma.ModelName) => (model === "RateLimit" ? "key" : "id");
  const find = (model: Prisma.ModelName, args: Doc) => [...docs.get(model)!.values()].filter((doc) => matches(doc, args.where as Doc));
  const insert = (model: Prisma.ModelName, data: Doc): Doc => {
    const doc: Doc = { createdAt: new Date(), updatedAt: new Date(), [idOf(model)]: randomBytes(12).toString("hex"), ...data };
    docs.get(model)!.set(doc[idOf(model)] as string, doc);
    return doc;
  };
  const answer = (model: Prisma.ModelName, operation: string, args: Doc): unknown => {
    const found = find(model, args);
    switch (operation) {
      case "create":
        return insert(model, args.data as Doc);
      case "createMany":
        return { count: (args.data as Doc[]).map((data) => insert(model, data)).length };
      case "upsert":
        return found[0] ?? insert(model, args.create as Doc);
      case "findUnique":
      case "findFirst":
        return found[0] ?? null;
      case "findUniqueOrThrow":
        if (found[0] === undefined) throw new Error(`${model}.${operation}: not found`);
        return found[0];
      case "findMany":
        return found.map((doc) => ((args.include as Doc | undefined)?.user ? { ...doc, user: docs.get("User")!.get(doc.userId as string) } : doc));
      case "updateMany":
        for (const doc of found)
          for (const [key, value] of Object.entries(args.data as Doc))
            if (value === null || typeof value !== "object" || value instanceof Date) doc[key] = value;
        return { count: found.length };
      case "deleteMany":
        for (const doc of found) docs.get(model)!.delete(doc[idOf(model)] as string);
        return { count: found.length };
      default:
        throw new Error(`recording client: ${model}.${operation} is not answered; add it`);
    }
  };
  const delegate = (model: Prisma.ModelName) =>
    new Proxy(
      {},
      {
        get:
          (_, operation: string) =>
          async (args: Doc = {}) => (calls.push({ model, operation, args, site: callSite() }), answer(model, operation, args)),
      },
    );
  const delegates = new Map(Object.values(Prisma.ModelName).map((model) => [model[0]!.toLowerCase() + model.slice(1), delegate(model)]));
  const client: PrismaClient = new Proxy({} as PrismaClient, {
    get(_, property: string) {
      if (property === "$transaction") return (work: (tx: PrismaClient) => Promise<unknown>) => work(client);
      if (property === "$runCommandRaw") return async () => ({ ok: 1, setName: "rs0", isWritablePrimary: true });
      if (property === "$disconnect") return async () => {};
      return delegates.get(property);
    },
  });
  return { client, calls };
}

/** Runs every store method that writes or filters, and the rate limiters on the store's client. */
async function runScenario(store: MongoStore): Promise<void> {
  const now = new Date("2026-12-01T12:00:00Z");
  const later = new Date(now.getTime() + 3_600_000);
  await store.ensureIndexes();
  const alice = await store.createUser({ email: "alice@example.com", username: "alice", passwordHash: "h", roles: [], profile: {} });
  await store.createUser({ email: "bob@example.com", username: null, passwordHash: "h", roles: ["ADMIN"], profile: { a: 1 } });
  await store.findUserByLogin("alice");
  await store.findUserById(alice.id);
  await store.upgradePasswordHash(alice.id, "h", "h2");
  const session = (id: string) => ({ id, userId: alice.id, createdAt: now, expiresAt: later, userAgent: null, ipAddress: "127.0.0.1" });
  const token = (id: string, sessionId: string) => ({ id, sessionId, secretHash: `hash-${id}`, createdAt: now, expiresAt: later });
  await store.startSession(session("s1"), token("t1", "s1"), () => ({ replace: [] }), now, alice.securityStamp);
  await store.startSession(session("s2"), token("t2", "s2"), (active) => ({ replace: active.map((s) => s.id) }), now, alice.securityStamp);
  const rotated = await store.rotateRefreshToken("t2", { ...token("t3", "s2"), sealedForPredecessor: "sealed" }, later, now);
  expect(rotated.ok).toBe(true);
  await store.findRefreshToken("t3");
  await store.getSession("s2");
  await store.getSessionsWithUsers(["s1", "s2"]);
  await store.touchSessions([{ sessionId: "s2", lastUsedAt: later }]);
  await store.listUserSessions(alice.id);
  await store.endSession("s2", "LOGGED_OUT", now);
  await store.endUserSessions(alice.id, "REVOKED", "s1", now);
  await store.applySecurityChange(alice.id, { expectedStamp: null, disabledAt: now, endSessions: { status: "REVOKED", exceptSessionId: null } }, now);
  await store.enableUser(alice.id);
  await store.sweepSessions(now, now);
  const event = {
    userId: alice.id,
    sessionId: null,
    actorId: null,
    type: "LOGIN",
    outcome: "SUCCESS" as const,
    ipAddress: null,
    userAgent: null,
    detail: {},
    createdAt: now,
  };
  await store.appendAuditEvents([event, { ...event, userId: null, outcome: "FAILURE" }]);
  await store.listAuditEvents({ userId: alice.id, limit: 10, before: later });
  await store.pruneAuditEvents(now);
  // the second factor (issue 15): a pending secret created then replaced, enabled with recovery codes, a challenge
  await store.mfa.savePendingTotp(alice.id, "v1.first", now);
  await store.mfa.savePendingTotp(alice.id, "v1.second", now);
  await store.mfa.findTotp(alice.id);
  const endOthers = { status: "REVOKED" as const, exceptSessionId: "s1" };
  const enable = { secretSealed: "v1.second", step: 1, recoveryCodeHashes: ["code-1", "code-2"] };
  expect((await store.applySecurityChange(alice.id, { expectedStamp: null, endSessions: endOthers, totp: { enable } }, now)).ok).toBe(true);
  await store.mfa.useTotpStep(alice.id, 2);
  await store.mfa.useRecoveryCode(alice.id, "code-1", now);
  const challenge = {
    id: "m1",
    userId: alice.id,
    secretHash: "h",
    ipAddress: null,
    securityStamp: alice.securityStamp,
    endOtherSessions: false,
    createdAt: now,
    expiresAt: later,
  };
  await store.mfa.createMfaChallenge(challenge);
  await store.mfa.findMfaChallenge("m1");
  await store.mfa.countMfaAttempt("m1", 5, now);
  await store.mfa.consumeMfaChallenge("m1", now);
  await store.mfa.pruneMfaChallenges(now);
  await store.applySecurityChange(alice.id, { expectedStamp: null, endSessions: endOthers, totp: { remove: true } }, now);
  // mail tokens and the outbox (issue 13)
  const mailToken = { tokenHash: "th1", userId: alice.id, purpose: "PASSWORD_RESET" as const, email: alice.email, createdAt: now, expiresAt: later };
  const mail = { userId: alice.id, kind: "PASSWORD_RESET", to: alice.email, subject: "s", text: "t", html: "h", createdAt: now };
  await store.issueMailToken(mailToken, mail);
  await store.issueMailToken({ ...mailToken, tokenHash: "th2" }, null);
  await store.findMailToken("th2");
  await store.redeemMailToken({ tokenHash: "th2", userId: alice.id, purpose: "PASSWORD_RESET", now, verifiedEmail: alice.email, mails: [mail] });
  await store.issueMailToken({ ...mailToken, tokenHash: "th3" }, null);
  const redeem = { tokenHash: "th3", purpose: "PASSWORD_RESET" as const, verifiedEmail: alice.email, mails: [{ ...mail, kind: "PASSWORD_CHANGED" }] };
  expect((await store.applySecurityChange(alice.id, { expectedStamp: null, passwordHash: "h2", endSessions: endOthers, redeem }, now)).ok).toBe(true);
  await store.enqueueMails([{ ...mail, userId: null, subject: "", text: null, html: null }]);
  for (const claimed of await store.claimOutboxMails(later, later, 10)) {
    await store.markOutboxMailFailed(claimed.id, { now, retryAt: later, error: "ECONNREFUSED" });
    await store.markOutboxMailFailed(claimed.id, { now, retryAt: null, error: "550" });
    await store.markOutboxMailSent(claimed.id, now);
  }
  await store.listOutboxMails(alice.email);
  await store.pruneOutboxMails(now);
  await store.deleteExpiredMailTokens(now);
  await store.deleteUser(alice.id);
  await store.ping();
  const limiter = createPrismaRateLimiters(store.rateLimitClient).create({ name: "test", points: 2, durationSeconds: 60, blockSeconds: 0 });
  await limiter.consume("key");
  await limiter.consume("key");
  await limiter.peek("key");
  await limiter.reset("key");
}

/** Every `model.field` the recorded where clauses compare with null (or ask whether it is set). */
function nullFilteredFields(calls: RecordedCall[]): Set<string> {
  const fields = new Set<string>();
  const walk = (model: string, where: unknown): void => {
    if (Array.isArray(where)) {
      for (const part of where) walk(model, part);
      return;
    }
    if (where === null || typeof where !== "object") return;
    for (const [key, value] of Object.entries(where as Doc)) {
      if (key === "AND" || key === "OR" || key === "NOT") walk(model, value);
      else if (value === null || (typeof value === "object" && ((value as Doc).equals === null || (value as Doc).isSet === false)))
        fields.add(`${model}.${key}`);
    }
  };
  for (const call of calls) walk(call.model, call.args.where);
  return fields;
}

/**
 * The null filters that do not also match an absent field: `{ f: null }` (or `equals: null`) without an
 * `{ f: { isSet: false } }` beside it in the same OR. `site` names where the call was made.
 */
function bareNullFilters(calls: RecordedCall[]): string[] {
  const bare: string[] = [];
  const isUnset = (value: unknown) => value !== null && typeof value === "object" && (value as Doc).isSet === false;
  const walk = (call: RecordedCall, where: unknown, unsetBeside: Set<string>): void => {
    if (where === null || typeof where !== "object") return;
    for (const [key, value] of Object.entries(where as Doc)) {
      if (key === "OR" && Array.isArray(value)) {
        const unset = new Set(
          value.flatMap((part: Doc) =>
            Object.entries(part)
              .filter(([, v]) => isUnset(v))
              .map(([field]) => field),
          ),
        );
        for (const part of value) walk(call, part, unset);
      } else if (key === "AND" || key === "NOT") {
        for (const part of Array.isArray(value) ? value : [value]) walk(call, part, new Set());
      } else if ((value === null || (typeof value === "object" && (value as Doc).equals === null)) && !unsetBeside.has(key)) {
        bare.push(`${call.site} ${call.model}.${key}`);
      }
    }
  };
  for (const call of calls) walk(call, call.args.where, new Set());
  return bare;
}

function partition<T>(items: T[], test: (item: T) => boolean): [T[], T[]] {
  return [items.filter(test), items.filter((item) => !test(item))];
}

/** The documents a create-like call writes. */
function createdData(call: RecordedCall): Doc[] {
  const data = call.operation === "upsert" ? call.args.create : call.args.data;
  return Array.isArray(data) ? (data as Doc[]) : [data as Doc];
}

describe("the MongoDB store's creates and null filters @see issue 18", () => {
  let calls: RecordedCall[];
  beforeAll(async () => {
    const recording = recordingClient();
    calls = recording.calls;
    await runScenario(new MongoStore({ url: "mongodb://recorder.invalid:27017/auth", poolSize: 1 }, recording.client));
  });

  test("every create writes every nullable field of its model, null when it has no value", () => {
    const nullable = nullableFieldsBySchema();
    const creates = calls.filter((call) => CREATES.has(call.operation));
    expect(new Set(creates.map((call) => call.model))).toEqual(new Set(Object.values(Prisma.ModelName)));
    const absent = creates.flatMap((call) =>
      createdData(call).flatMap((data) =>
        nullable
          .get(call.model)!
          .filter((field) => data[field] === undefined)
          .map((field) => `${call.site} ${call.model}.${call.operation} leaves ${field} absent`),
      ),
    );
    expect(absent).toEqual([]);
  });

  test("every field the store later filters on null is written by every create of its model", () => {
    const filtered = nullFilteredFields(calls);
    // the scenario reaches the filters that matter: token rotation, and the rate limiter's unexpired counters
    expect(filtered).toContain("RefreshToken.rotatedAt");
    expect(filtered).toContain("RateLimit.expire");
    const absent = calls
      .filter((call) => CREATES.has(call.operation))
      .flatMap((call) =>
        createdData(call).flatMap((data) =>
          [...filtered]
            .filter((field) => field.startsWith(`${call.model}.`) && data[field.split(".")[1]!] === undefined)
            .map((field) => `${call.site} leaves ${field} absent`),
        ),
      );
    expect(absent).toEqual([]);
  });

  test("every null filter of the store also matches documents that lack the field", () => {
    // rate-limiter-flexible's own `expire: null` is the one exception: every counter it creates names `expire`
    const [library, store] = partition(bareNullFilters(calls), (filter) => filter.endsWith(" RateLimit.expire"));
    expect(store, "filter with nullOrUnset(field)").toEqual([]);
    expect(library.length).toBeGreaterThan(0); // the check sees bare null filters when there are some
  });

  test("the scenario runs every create in the store's code, so a new one cannot escape these checks", () => {
    const sites = new Set(calls.filter((call) => CREATES.has(call.operation)).map((call) => call.site));
    const inSource = readdirSync(STORE_DIR)
      .filter((file) => file.endsWith(".ts") && !file.endsWith(".test.ts"))
      .flatMap((file) =>
        readFileSync(join(STORE_DIR, file), "utf8")
          .split("\n")
          .flatMap((line, index) => (/\.(create|createMany|upsert)\(/.test(line) ? [`${relative(ROOT, join(STORE_DIR, file))}:${index + 1}`] : [])),
      );
    expect(inSource.length).toBeGreaterThan(0);
    expect(
      inSource.filter((site) => !sites.has(site)),
      "creates the scenario never reaches: call them in runScenario()",
    ).toEqual([]);
  });
});
