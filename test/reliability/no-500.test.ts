/**
 * A client's mistake is never a 500: each kind of malformed request the drills found (deep or huge profiles,
 * lone surrogates and deep NULs, a subscription over POST, persisted queries with a wrong or unknown hash, a
 * client that stalls mid-body) gets a 4xx, and a bounded fuzz run finds no 5xx. @see issue 10 @see issue 19
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Logger } from "../../src/logger.js";
import { startTestApi, type TestApi } from "../support/api.js";
import { postRaw, rawCode, type RawResponse } from "../security/support.js";
import { graphqlPost, openRawConnection } from "./raw-http.js";

const logged: Array<{ level: string; message: string }> = [];
const recordingLog: Logger = {
  debug: (message) => logged.push({ level: "debug", message }),
  info: (message) => logged.push({ level: "info", message }),
  warn: (message) => logged.push({ level: "warn", message }),
  error: (message) => logged.push({ level: "error", message }),
};

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi({ REQUEST_TIMEOUT: "1s", MAX_BODY_BYTES: "200000" }, undefined, undefined, recordingLog);
});
afterAll(async () => {
  await api?.close();
});

const SIGN_UP = "mutation($input: SignUpInput!) { signUp(input: $input) { accessToken } }";
let counter = 0;
const signUpWithProfile = (profile: unknown) => {
  counter += 1;
  const input = { email: `profile${counter}@example.com`, password: "correct horse battery staple", profile: "PROFILE" };
  // written by hand: JSON.stringify itself overflows the stack on the deepest profiles
  const body = JSON.stringify({ query: SIGN_UP, variables: { input } }).replace('"PROFILE"', typeof profile === "string" ? profile : JSON.stringify(profile));
  return postRaw(api.url, body);
};

/** `levels` objects nested in each other around `leaf`, as JSON text. */
const deepJson = (levels: number, leaf: string) => '{"a":'.repeat(levels) + leaf + "}".repeat(levels);

function nested(levels: number, leaf: unknown): unknown {
  let value = leaf;
  for (let i = 0; i < levels; i++) value = { a: value };
  return value;
}

function expectInvalidProfile(res: RawResponse) {
  expect(res.status).toBe(400);
  expect(res.body?.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", reason: "INVALID_INPUT", field: "profile" });
}

describe("profile", () => {
  test("nested 200 levels (Prisma's recursion limit) and 10,000 levels (a stack overflow) is INVALID_INPUT", async () => {
    expectInvalidProfile(await signUpWithProfile(deepJson(200, "1")));
    expectInvalidProfile(await signUpWithProfile(deepJson(10_000, "1")));
    expectInvalidProfile(await signUpWithProfile(deepJson(5_000, "[[[[]]]]")));
  });

  test("over the size limit is INVALID_INPUT", async () => {
    expectInvalidProfile(await signUpWithProfile({ bio: "x".repeat(20_000) }));
    expectInvalidProfile(await signUpWithProfile(Object.fromEntries(Array.from({ length: 5_000 }, (_, i) => [`k${i}`, i]))));
  });

  test("a lone surrogate, in a value or a key, is INVALID_INPUT", async () => {
    expectInvalidProfile(await signUpWithProfile({ bio: "a\ud800b" }));
    expectInvalidProfile(await signUpWithProfile({ "x\udc00": 1 }));
    // the raw escape, as a client that builds JSON by hand would send it
    const body = `{"query":${JSON.stringify(SIGN_UP)},"variables":{"input":{"email":"raw-surrogate@example.com","password":"correct horse battery staple","profile":{"bio":"\\udfff"}}}}`;
    expectInvalidProfile(await postRaw(api.url, body));
  });

  test("a NUL, however deep, is INVALID_INPUT", async () => {
    for (const profile of [nested(15, { bio: "a\u0000b" }), { list: [{ deep: [["x\u0000"]] }] }, nested(100, "\u0000")]) {
      const res = await signUpWithProfile(profile);
      expect(res.status).toBe(400);
      expect(res.body?.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", reason: "INVALID_INPUT" });
    }
  });

  test("a sound profile with nesting, arrays and emoji is stored", async () => {
    const res = await signUpWithProfile({ name: "Zoë 🚀", tags: ["a", "b"], prefs: { theme: { dark: true, size: 1.5 } }, none: null });
    expect(res.status).toBe(200);
  });
});

describe("requests Apollo itself classifies as bad", () => {
  test("a subscription over HTTP POST is a 4xx, not a 500", async () => {
    const res = await postRaw(api.url, { query: "subscription { __typename }" });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(rawCode(res)).not.toBe("INTERNAL_SERVER_ERROR");
  });

  test("an automatic persisted query with a wrong hash is 400 BAD_REQUEST", async () => {
    const res = await postRaw(api.url, { query: "{ __typename }", extensions: { persistedQuery: { version: 1, sha256Hash: "0".repeat(64) } } });
    expect(res.status).toBe(400);
    expect(rawCode(res)).toBe("BAD_REQUEST");
  });

  test("an unknown persisted query hash, or an unknown version, is not a 5xx", async () => {
    const notFound = await postRaw(api.url, { extensions: { persistedQuery: { version: 1, sha256Hash: "1".repeat(64) } } });
    expect(notFound.status).toBeLessThan(500);
    expect(rawCode(notFound)).toBe("PERSISTED_QUERY_NOT_FOUND");
    const version = await postRaw(api.url, { query: "{ __typename }", extensions: { persistedQuery: { version: 2, sha256Hash: "1".repeat(64) } } });
    expect(version.status).toBe(400);
    expect(rawCode(version)).not.toBe("INTERNAL_SERVER_ERROR");
  });
});

test("a client that stalls mid-body gets 408 after REQUEST_TIMEOUT, logged at debug level only", async () => {
  const errorsBefore = logged.filter((line) => line.level === "error").length;
  const stalled = openRawConnection(Number(new URL(api.url).port));
  await stalled.ready;
  const post = graphqlPost("{ __typename }");
  await stalled.write(post.head + post.body.slice(0, 4));
  const ended = await stalled.ended; // bounded by the test's timeout, far below the ~90 s it took before
  expect(ended.text).toMatch(/^HTTP\/1\.1 408/);
  await expect.poll(() => logged.some((line) => line.level === "debug" && line.message.includes("abandoned"))).toBe(true);
  expect(logged.filter((line) => line.level === "error").length).toBe(errorsBefore);
});

describe("fuzz (bounded)", () => {
  /** A small deterministic PRNG (mulberry32), so a failure can be replayed from its seed. */
  function random(seed: number) {
    let a = seed;
    return () => {
      a = (a + 0x6d2b79f5) | 0;
      let t = Math.imul(a ^ (a >>> 15), 1 | a);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  const QUERIES = [
    SIGN_UP,
    "mutation($input: LoginInput!) { login(input: $input) { accessToken } }",
    "mutation($t: String!) { renewToken(refreshToken: $t) { accessToken } }",
    "query($id: ID!) { user(id: $id) { id } }",
    "{ me { id profile } }",
    "subscription { __typename }",
  ];

  function fuzzValue(next: () => number, depth: number): unknown {
    const pick = Math.floor(next() * 12);
    switch (pick) {
      case 0:
        return null;
      case 1:
        return next() < 0.5;
      case 2:
        return Math.floor(next() * 1e12) * (next() < 0.5 ? -1 : 1);
      case 3:
        return "x".repeat(Math.floor(next() * 50_000));
      case 4:
        return String.fromCharCode(...Array.from({ length: 20 }, () => Math.floor(next() * 0x10000)));
      case 5:
        return "\u0000";
      case 6:
        return depth > 0 ? Array.from({ length: Math.floor(next() * 4) }, () => fuzzValue(next, depth - 1)) : [];
      case 7:
        return nested(Math.floor(next() * 300), "deep");
      case 8:
        return { $gt: "" };
      case 9:
        return "a\ud800";
      default:
        return depth > 0 ? Object.fromEntries(["email", "password", "login", "profile", "username", "x"].map((key) => [key, fuzzValue(next, depth - 1)])) : {};
    }
  }

  function fuzzBody(next: () => number): string | Buffer {
    const kind = Math.floor(next() * 6);
    if (kind === 0) return Buffer.from(Array.from({ length: 64 }, () => Math.floor(next() * 256))); // invalid UTF-8, not JSON
    if (kind === 1) return Buffer.concat([Buffer.from('{"query":"{ __typename }","variables":{"a":"'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('"}}')]);
    if (kind === 2) return JSON.stringify(fuzzValue(next, 3)); // random JSON, wrong shape
    const query = QUERIES[Math.floor(next() * QUERIES.length)]!;
    const variables = { input: fuzzValue(next, 3), t: fuzzValue(next, 1), id: fuzzValue(next, 1) };
    return JSON.stringify({ query, variables, operationName: next() < 0.1 ? fuzzValue(next, 0) : undefined });
  }

  test("300 random malformed requests: none is a 5xx", async () => {
    const next = random(20261201);
    const bodies = Array.from({ length: 300 }, () => fuzzBody(next));
    const failures: string[] = [];
    for (let i = 0; i < bodies.length; i += 10) {
      await Promise.all(
        bodies.slice(i, i + 10).map(async (body, j) => {
          const res = await fetch(api.url, { method: "POST", headers: { "content-type": "application/json" }, body });
          const text = await res.text();
          if (res.status >= 500) failures.push(`#${i + j} ${res.status} ${text.slice(0, 200)}`);
        }),
      );
    }
    expect(failures).toEqual([]);
  }, 120_000);
});
