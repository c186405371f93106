import { request as httpRequest } from "node:http";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startTestApi, type TestApi } from "../support/api.js";

let api: TestApi;
let base: string;
beforeAll(async () => {
  api = await startTestApi();
  base = api.url.replace(/\/graphql$/, "");
});
afterAll(async () => {
  await api?.close();
});

describe("HTTP endpoints", () => {
  test("GET /healthz answers without auth", async () => {
    const res = await fetch(`${base}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok" });
  });

  test("GET /readyz checks the database", async () => {
    const res = await fetch(`${base}/readyz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ready" });
  });

  test("GET /graphql serves queries", async () => {
    const res = await fetch(`${api.url}?query=${encodeURIComponent("{ __typename }")}`, { headers: { "apollo-require-preflight": "1" } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ data: { __typename: "Query" } });
  });

  /** @see issue 17: "/graphql" is split by hand; every other target still goes through URL's normalisation. */
  test("GET /graphql serves queries whatever the spelling of the target", async () => {
    const query = `?query=${encodeURIComponent("{ __typename }")}`;
    for (const path of [`/graphql${query}`, `/x/../graphql${query}`, `/graphql${query}#fragment`]) {
      const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = httpRequest(`${base}${path}`, { path, headers: { "apollo-require-preflight": "1" } }, (res) => {
          let body = "";
          res
            .setEncoding("utf8")
            .on("data", (chunk: string) => (body += chunk))
            .on("end", () => resolve({ status: res.statusCode ?? 0, body }));
        });
        req.on("error", reject).end();
      });
      expect(answer, path).toEqual({ status: 200, body: expect.stringContaining('"__typename":"Query"') });
    }
  });

  test("GET /graphql never runs a mutation", async () => {
    const res = await fetch(`${api.url}?query=${encodeURIComponent("mutation { logout }")}`, { headers: { "apollo-require-preflight": "1" } });
    expect(res.status).toBe(405);
  });

  test("refuses a body over the size limit with 413", async () => {
    const res = await fetch(api.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: "{ __typename }", padding: "x".repeat(200_000) }),
    });
    expect(res.status).toBe(413);
  });

  /** @see issue 17: the body is read with stream events; without a Content-Length the limit applies as it arrives. */
  test("refuses a chunked body that grows over the size limit with 413, and closes that connection", async () => {
    const chunks = (async function* () {
      yield new TextEncoder().encode('{"query":"{ __typename }","padding":"');
      for (let i = 0; i < 30; i += 1) yield new TextEncoder().encode("x".repeat(10_000));
      yield new TextEncoder().encode('"}');
    })();
    const res = await fetch(api.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: ReadableStream.from(chunks),
      duplex: "half",
    } as RequestInit);
    expect(res.status).toBe(413);
    expect(res.headers.get("connection")).toBe("close");
    expect(((await res.json()) as { errors: { extensions: { code: string } }[] }).errors[0]?.extensions.code).toBe("BAD_REQUEST");
    // the server is still fine for the next request
    const next = await fetch(api.url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: "{ __typename }" }) });
    expect(next.status).toBe(200);
  });

  test("refuses malformed JSON with 400", async () => {
    const res = await fetch(api.url, { method: "POST", headers: { "content-type": "application/json" }, body: "{not json" });
    expect(res.status).toBe(400);
  });

  test("CSRF prevention refuses a simple cross-site form post", async () => {
    const res = await fetch(api.url, { method: "POST", headers: { "content-type": "text/plain" }, body: '{"query":"{ __typename }"}' });
    expect(res.status).toBe(400);
  });

  test("an unknown path is 404", async () => {
    expect((await fetch(`${base}/nope`)).status).toBe(404);
  });

  test("a syntax error is a 400 with GRAPHQL_PARSE_FAILED and no stack trace", async () => {
    const res = await fetch(api.url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: "{ me " }) });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { errors: Array<{ extensions: { code: string } }> };
    expect(body.errors[0]?.extensions.code).toBe("GRAPHQL_PARSE_FAILED");
    expect(JSON.stringify(body)).not.toMatch(/stacktrace|at .*\.ts:/);
  });
});

describe("HTTP status of partial failures", () => {
  test("a nullable root field refused alone still sets the status; one of two failing keeps 200", async () => {
    const anonymous = await fetch(api.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: '{ user(id: "00000000-0000-0000-0000-000000000000") { id } }' }),
    });
    expect(anonymous.status).toBe(401);
    const mixed = await fetch(api.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: '{ __typename user(id: "00000000-0000-0000-0000-000000000000") { id } }' }),
    });
    expect(mixed.status).toBe(200);
    expect(await mixed.json()).toMatchObject({ data: { __typename: "Query", user: null } });
  });
});
