/** Query-shape abuse: aliases, batches, depth, cost, tokens, directives, body size. @see issue 5 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startTestApi, type TestApi } from "../support/api.js";
import { freshAddress, postRaw, rawCode, signUpUser } from "./support.js";

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi({ RATE_LIMIT_ENABLED: "true", TRUST_PROXY: "1" });
});
afterAll(async () => {
  await api?.close();
});

const loginAliases = (n: number, login: string, password: string) =>
  `mutation { ${Array.from({ length: n }, (_, i) => `a${i}: login(input: { login: ${JSON.stringify(login)}, password: ${JSON.stringify(password)} }) { accessToken }`).join(" ")} }`;

async function loginAuditEvents(): Promise<number> {
  const events = await api.store.listAuditEvents({ userId: null, limit: 1000, before: null });
  return events.filter((event) => event.type === "LOGIN").length;
}

describe("amplification", () => {
  test("50 aliased login mutations in one request are refused before any password check", async () => {
    const { creds } = await signUpUser(api);
    const before = await loginAuditEvents();
    const res = await postRaw(api.url, { query: loginAliases(50, creds.email, "guess number one two three") }, { "x-forwarded-for": freshAddress() });
    expect(res.status).toBe(400);
    expect(rawCode(res)).toBe("GRAPHQL_VALIDATION_FAILED");
    expect(res.body?.data).toBeUndefined();
    expect(await loginAuditEvents()).toBe(before); // not one login ran
  });

  test("two credential mutations hidden in fragments are refused too", async () => {
    const query = `mutation { ...A ... on Mutation { b: signUp(input: { email: "x@example.com", password: "p" }) { accessToken } } }
      fragment A on Mutation { a: login(input: { login: "x", password: "y" }) { accessToken } }`;
    const res = await postRaw(api.url, { query });
    expect(res.status).toBe(400);
    expect(rawCode(res)).toBe("GRAPHQL_VALIDATION_FAILED");
  });

  test("even where the schema allowed many aliased logins, the per-address limit caps the password checks", async () => {
    const lax = await startTestApi({
      RATE_LIMIT_ENABLED: "true",
      TRUST_PROXY: "1",
      GRAPHQL_MAX_ALIASES: "100",
      GRAPHQL_MAX_CREDENTIAL_FIELDS: "100",
      GRAPHQL_MAX_TOKENS: "5000",
      GRAPHQL_MAX_COST: "100000",
      RATE_LIMIT_ADDRESS_PER_MINUTE: "5",
      SESSION_LIMIT: "0",
    });
    try {
      const { creds } = await signUpUser(lax);
      const ip = freshAddress();
      // the right password each time, so no failure stops the serial execution early
      const res = await postRaw(lax.url, { query: loginAliases(50, creds.email, creds.password) }, { "x-forwarded-for": ip });
      const errors = res.body?.errors ?? [];
      expect(errors[0]?.extensions?.code).toBe("TOO_MANY_REQUESTS");
      expect(errors[0]?.path).toEqual(["a5"]); // the sixth login of the request, and nothing after it ran
      const events = await lax.store.listAuditEvents({ userId: null, limit: 1000, before: null });
      expect(events.filter((event) => event.type === "LOGIN").length).toBeLessThanOrEqual(5);
    } finally {
      await lax.close();
    }
  });

  test("a batched array of operations is refused, and none of them runs", async () => {
    const { creds } = await signUpUser(api);
    const before = await loginAuditEvents();
    const batch = Array.from({ length: 20 }, () => ({
      query: "mutation($i: LoginInput!) { login(input: $i) { accessToken } }",
      variables: { i: { login: creds.email, password: "batched guesses go here" } },
    }));
    const res = await postRaw(api.url, batch);
    expect(res.status).toBe(400);
    expect(rawCode(res)).toBe("BAD_REQUEST");
    expect(await loginAuditEvents()).toBe(before);
  });

  test("more aliases than allowed are refused with a 400", async () => {
    const query = `{ ${Array.from({ length: 11 }, (_, i) => `m${i}: me { id }`).join(" ")} }`;
    const res = await postRaw(api.url, { query });
    expect(res.status).toBe(400);
    expect(res.text).toMatch(/Aliases limit/);
  });
});

describe("size and shape limits", () => {
  test("a query deeper than the depth limit is refused with a 400", async () => {
    const deep = await startTestApi({ GRAPHQL_MAX_DEPTH: "2" });
    try {
      const res = await postRaw(deep.url, { query: "{ me { sessions { id } } }" });
      expect(res.status).toBe(400);
      expect(rawCode(res)).toBe("GRAPHQL_VALIDATION_FAILED");
      expect(res.text).toMatch(/depth limit/i);
    } finally {
      await deep.close();
    }
  });

  test("the default depth limit refuses absurd nesting, even of unknown fields, without a 500", async () => {
    const query = `{ ${"a { ".repeat(30)}b${" }".repeat(30)} }`;
    const res = await postRaw(api.url, { query });
    expect(res.status).toBe(400);
    expect(res.text).toMatch(/depth limit/i);
  });

  test("an expensive query (fragments spread many times) is refused by the cost limit", async () => {
    const spreads = "...F ".repeat(120);
    const query = `{ me { ${spreads} } } fragment F on User { id email sessions { id status current createdAt lastUsedAt expiresAt userAgent ipAddress } }`;
    const res = await postRaw(api.url, { query });
    expect(res.status).toBe(400);
    expect(rawCode(res)).toBe("GRAPHQL_VALIDATION_FAILED");
    expect(res.text).toMatch(/cost/i);
  });

  test("a document of more tokens than allowed is refused while parsing (400, not 500)", async () => {
    const res = await postRaw(api.url, { query: `{ ${"__typename ".repeat(1_200)} }` });
    expect(res.status).toBe(400);
    expect(rawCode(res)).toBe("GRAPHQL_PARSE_FAILED");
  });

  test("too many directives are refused", async () => {
    const query = `{ ${Array.from({ length: 11 }, (_, i) => `t${i}: __typename @include(if: true)`).join(" ")} }`;
    const res = await postRaw(api.url, { query });
    expect(res.status).toBe(400);
    expect(res.text).toMatch(/Directives limit/i);
  });

  test("a 2 MB body is refused with 413 before it is parsed", async () => {
    const res = await postRaw(api.url, { query: "{ __typename }", variables: { pad: "x".repeat(2_000_000) } });
    expect(res.status).toBe(413);
  });

  test("the API's own operations fit well within every limit", async () => {
    const { payload } = await signUpUser(api);
    const query = `{ me { id email username roles profile createdAt sessions { id status current createdAt lastUsedAt expiresAt userAgent ipAddress } } }`;
    const res = await postRaw(api.url, { query }, { authorization: `Bearer ${payload.accessToken}` });
    expect(res.status).toBe(200);
    expect(res.body?.errors).toBeUndefined();
  });
});
