/** Oversized and malformed inputs: each is refused as bad input (4xx), never a 500, never run. @see issue 5 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startTestApi, type TestApi } from "../support/api.js";
import { postRaw, rawCode, signUpUser } from "./support.js";

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => {
  await api?.close();
});

const LOGIN = "mutation($input: LoginInput!) { login(input: $input) { accessToken } }";
const SIGN_UP = "mutation($input: SignUpInput!) { signUp(input: $input) { accessToken } }";

describe("null bytes", () => {
  test("in the login is BAD_USER_INPUT, not a database error", async () => {
    const res = await postRaw(api.url, { query: LOGIN, variables: { input: { login: "admin\u0000@example.com", password: "whatever password here" } } });
    expect(res.status).toBe(400);
    expect(rawCode(res)).toBe("BAD_USER_INPUT");
  });

  test("in a profile value and in an inline literal are BAD_USER_INPUT", async () => {
    const profile = await postRaw(api.url, {
      query: SIGN_UP,
      variables: { input: { email: "nul-profile@example.com", password: "correct horse battery nul", profile: { bio: "a\u0000b" } } },
    });
    expect(profile.status).toBe(400);
    expect(rawCode(profile)).toBe("BAD_USER_INPUT");
    const literal = await postRaw(api.url, { query: 'mutation { login(input: { login: "x\\u0000y", password: "p" }) { accessToken } }' });
    expect(literal.status).toBe(400);
    expect(rawCode(literal)).toBe("BAD_USER_INPUT");
  });
});

describe("oversized fields", () => {
  test("a 10 KB email at sign-up is BAD_USER_INPUT", async () => {
    const email = `${"a".repeat(10_240)}@example.com`;
    const res = await postRaw(api.url, { query: SIGN_UP, variables: { input: { email, password: "correct horse battery long" } } });
    expect(res.status).toBe(400);
    expect(rawCode(res)).toBe("BAD_USER_INPUT");
  });

  test("a 10 KB login is just wrong credentials (401), like any unknown account", async () => {
    const res = await postRaw(api.url, { query: LOGIN, variables: { input: { login: "a".repeat(10_240), password: "some password or other" } } });
    expect(res.status).toBe(401);
    expect(rawCode(res)).toBe("UNAUTHENTICATED");
  });

  test("a password over 256 code points is refused before hashing", async () => {
    const res = await postRaw(api.url, { query: LOGIN, variables: { input: { login: "someone", password: "p".repeat(100_000 / 2) } } });
    expect(res.status).toBe(400);
    expect(rawCode(res)).toBe("BAD_USER_INPUT");
  });
});

describe("operator injection and wrong types", () => {
  test('{"$gt": ""} in a String field is refused by the schema', async () => {
    const { creds } = await signUpUser(api);
    for (const input of [
      { login: { $gt: "" }, password: creds.password },
      { login: creds.email, password: { $gt: "" } },
      { login: { $ne: null }, password: { $ne: null } },
    ]) {
      const res = await postRaw(api.url, { query: LOGIN, variables: { input } });
      expect(res.status, JSON.stringify(input)).toBe(400);
      expect(rawCode(res)).toBe("BAD_USER_INPUT");
      expect(res.body?.data).toBeUndefined();
    }
  });

  test("an array or a number where a string is expected is refused", async () => {
    const res = await postRaw(api.url, { query: LOGIN, variables: { input: { login: ["a", "b"], password: 12345 } } });
    expect(res.status).toBe(400);
  });
});

describe("transport", () => {
  test("wrong content types are refused (400) and nothing runs", async () => {
    const body = JSON.stringify({ query: "mutation { logout }" });
    for (const contentType of ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/xml"]) {
      const res = await postRaw(api.url, body, { "content-type": contentType });
      expect(res.status, contentType).toBe(400);
      expect(res.body?.data ?? undefined, contentType).toBeUndefined();
    }
  });

  test("malformed JSON and non-object bodies are a 400", async () => {
    for (const body of ["{not json", '"just a string"', "12", "null", "{}"]) {
      const res = await postRaw(api.url, body);
      expect(res.status, body).toBe(400);
    }
  });

  test("a query that is not a string is a 400", async () => {
    const res = await postRaw(api.url, { query: { $gt: "" } });
    expect(res.status).toBe(400);
  });
});
