/** NODE_ENV=production: no introspection, no suggestions, no Sandbox, no stack traces; CORS from config. @see issue 5 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startTestApi, type TestApi } from "../support/api.js";
import { postRaw, rawCode, readRaw } from "./support.js";

let prod: TestApi;
beforeAll(async () => {
  prod = await startTestApi({ NODE_ENV: "production", MAIL_ENABLED: "false", CORS_ORIGINS: "https://app.example.com, https://admin.example.com" });
});
afterAll(async () => {
  await prod?.close();
});

const INTROSPECTION = "{ __schema { types { name } } }";

describe("production mode", () => {
  test("introspection is refused", async () => {
    const res = await postRaw(prod.url, { query: INTROSPECTION });
    expect(res.status).toBe(400);
    expect(rawCode(res)).toBe("GRAPHQL_VALIDATION_FAILED");
    expect(res.text).not.toContain("AuthPayload");
  });

  test('field suggestions ("Did you mean") are hidden', async () => {
    const res = await postRaw(prod.url, { query: "{ mee { id } }" });
    expect(res.status).toBe(400);
    expect(res.text).toMatch(/Cannot query field/);
    expect(res.text).not.toMatch(/Did you mean/);
    const arg = await postRaw(prod.url, { query: 'mutation { login(input: { logn: "a", password: "b" }) { accessToken } }' });
    expect(arg.status).toBe(400);
    expect(arg.text).not.toMatch(/Did you mean/);
    // a typo inside a variable fails coercion during the request, not validation: hidden all the same
    const variable = await postRaw(prod.url, {
      query: "mutation Login($input: LoginInput!) { login(input: $input) { accessToken } }",
      variables: { input: { logn: "a", password: "b" } },
    });
    expect(variable.status).toBe(400);
    expect(rawCode(variable)).toBe("BAD_USER_INPUT");
    expect(variable.text).not.toMatch(/Did you mean/);
  });

  test("the Sandbox landing page is off", async () => {
    const res = await readRaw(await fetch(prod.url, { headers: { accept: "text/html" } }));
    expect(res.text).not.toMatch(/<html|sandbox|embeddable/i);
  });

  test("no x-powered-by, and answers are not sniffed or cached", async () => {
    const res = await fetch(prod.url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: "{ __typename }" }) });
    expect(res.headers.get("x-powered-by")).toBeNull();
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("cache-control")).toBe("no-store");
  });

  test("errors carry no stack trace", async () => {
    const res = await postRaw(prod.url, { query: "{ me { id } }" }, { authorization: "Bearer not.a.token" });
    expect(res.status).toBe(401);
    expect(res.text).not.toMatch(/stacktrace|\bat [\w.]+ \(|\.ts:\d+/);
  });

  test("CSRF prevention refuses a simple cross-site request", async () => {
    const res = await postRaw(prod.url, JSON.stringify({ query: "mutation { logout }" }), { "content-type": "text/plain" });
    expect(res.status).toBe(400);
  });
});

describe("CORS", () => {
  test("a configured origin is allowed, echoed, without credentials", async () => {
    const res = await fetch(prod.url, {
      method: "POST",
      headers: { origin: "https://app.example.com", "content-type": "application/json" },
      body: JSON.stringify({ query: "{ __typename }" }),
    });
    expect(res.headers.get("access-control-allow-origin")).toBe("https://app.example.com");
    expect(res.headers.get("vary")).toMatch(/origin/i);
    expect(res.headers.get("access-control-allow-credentials")).toBeNull();
  });

  test("another origin gets no CORS headers", async () => {
    const res = await fetch(prod.url, {
      method: "POST",
      headers: { origin: "https://evil.example.net", "content-type": "application/json" },
      body: JSON.stringify({ query: "{ __typename }" }),
    });
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
  });

  test("a preflight from a configured origin is answered with the allowed methods and headers", async () => {
    const res = await fetch(prod.url, {
      method: "OPTIONS",
      headers: {
        origin: "https://admin.example.com",
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization, content-type",
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-origin")).toBe("https://admin.example.com");
    expect(res.headers.get("access-control-allow-methods")).toMatch(/POST/);
    expect(res.headers.get("access-control-allow-headers")).toMatch(/authorization/);
  });

  test("a preflight from another origin is answered without any Allow-Origin", async () => {
    const res = await fetch(prod.url, { method: "OPTIONS", headers: { origin: "https://evil.example.net", "access-control-request-method": "POST" } });
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
  });

  test("the wildcard allows any origin and never with credentials", async () => {
    const open = await startTestApi({ CORS_ORIGINS: "*" });
    try {
      const res = await fetch(open.url, { method: "OPTIONS", headers: { origin: "https://anything.example", "access-control-request-method": "POST" } });
      expect(res.headers.get("access-control-allow-origin")).toBe("*");
      expect(res.headers.get("access-control-allow-credentials")).toBeNull();
    } finally {
      await open.close();
    }
  });
});

describe("settings that turn things back on", () => {
  test("INTROSPECTION=true and SANDBOX=true re-enable introspection and the landing page in production", async () => {
    const open = await startTestApi({ NODE_ENV: "production", MAIL_ENABLED: "false", INTROSPECTION: "true", SANDBOX: "true" });
    try {
      const res = await postRaw(open.url, { query: INTROSPECTION });
      expect(res.status).toBe(200);
      expect(res.text).toContain("AuthPayload");
      const page = await readRaw(await fetch(open.url, { headers: { accept: "text/html" } }));
      expect(page.text).toMatch(/<html/i);
    } finally {
      await open.close();
    }
  });

  test("in development, introspection and suggestions are on by default", async () => {
    const dev = await startTestApi();
    try {
      expect((await postRaw(dev.url, { query: INTROSPECTION })).status).toBe(200);
      expect((await postRaw(dev.url, { query: "{ mee { id } }" })).text).toMatch(/Did you mean/);
    } finally {
      await dev.close();
    }
  });
});
