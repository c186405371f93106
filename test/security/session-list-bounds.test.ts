/**
 * `me { sessions }` is bounded (issue 19, Medium 4): one page (ACTIVE first, then the most recent ended ones),
 * paged with `after`, and counted at its size in the query cost, so aliases cannot multiply the rows it loads.
 * @see issue 19
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { LoginDocument } from "../generated/graphql.js";
import { startTestApi, type TestApi } from "../support/api.js";
import { postRaw, rawCode, signUpUser } from "./support.js";

let api: TestApi;
let token: string;
let sessionCount: number;

beforeAll(async () => {
  api = await startTestApi(); // SESSION_LIMIT 1, evict-oldest: every login ends the previous session (REPLACED)
  const { creds } = await signUpUser(api);
  for (let i = 0; i < 24; i++) {
    const res = await api.graphql(LoginDocument, { input: { login: creds.email, password: creds.password } });
    token = res.data!.login.accessToken;
  }
  sessionCount = 25;
});
afterAll(async () => {
  await api?.close();
});

type SessionRow = { id: string; status: string; current: boolean };

async function sessionsPage(args: string): Promise<SessionRow[]> {
  const res = await postRaw(api.url, { query: `{ me { sessions${args} { id status current } } }` }, { authorization: `Bearer ${token}` });
  expect(res.body?.errors).toBeUndefined();
  return (res.body!.data as { me: { sessions: SessionRow[] } }).me.sessions;
}

describe("me { sessions }", () => {
  test("answers one page: the ACTIVE session first, then the most recent ended ones", async () => {
    const page = await sessionsPage("");
    expect(page).toHaveLength(20);
    expect(page[0]).toMatchObject({ status: "ACTIVE", current: true });
    expect(page.slice(1).every((session) => session.status === "REPLACED")).toBe(true);
  });

  test("pages through the rest with `after`, each session once", async () => {
    const seen: string[] = [];
    let after = "";
    for (;;) {
      const page = await sessionsPage(`(limit: 7${after})`);
      if (page.length === 0) break;
      seen.push(...page.map((session) => session.id));
      after = `, after: ${JSON.stringify(page.at(-1)!.id)}`;
    }
    expect(seen).toHaveLength(sessionCount);
    expect(new Set(seen).size).toBe(sessionCount);
  });

  test("refuses a page over 100 or a cursor that is not one of the user's sessions", async () => {
    for (const args of ["(limit: 101)", `(after: "00000000-0000-4000-8000-000000000000")`]) {
      const res = await postRaw(api.url, { query: `{ me { sessions${args} { id } } }` }, { authorization: `Bearer ${token}` });
      expect(rawCode(res)).toBe("BAD_USER_INPUT");
    }
  });

  test("ten aliases of the largest page exceed the cost limit and load nothing; ten default pages do not", async () => {
    const aliases = (args: string) => Array.from({ length: 10 }, (_, i) => `a${i}: me { sessions${args} { id } }`).join(" ");
    const literal = await postRaw(api.url, { query: `{ ${aliases("(limit: 100)")} }` }, { authorization: `Bearer ${token}` });
    expect(literal.status).toBe(400);
    expect(rawCode(literal)).toBe("GRAPHQL_VALIDATION_FAILED");
    const viaVariable = await postRaw(
      api.url,
      { query: `query ($n: Int!) { ${aliases("(limit: $n)")} }`, variables: { n: 100 } },
      { authorization: `Bearer ${token}` },
    );
    expect(viaVariable.status).toBe(400);
    expect(rawCode(viaVariable)).toBe("GRAPHQL_VALIDATION_FAILED");
    const defaults = await postRaw(api.url, { query: `{ ${aliases("")} }` }, { authorization: `Bearer ${token}` });
    expect(defaults.status).toBe(200);
  });

  /** @see issue 17: a cost no variable sizes is remembered per operation; one sized by a variable never is. */
  test("the same document is counted again for each request's variables, and a remembered cost still refuses", async () => {
    const query = `query ($n: Int!) { ${Array.from({ length: 10 }, (_, i) => `a${i}: me { sessions(limit: $n) { id } }`).join(" ")} }`;
    const statuses: number[] = [];
    for (const n of [1, 100, 1, 100]) {
      statuses.push((await postRaw(api.url, { query, variables: { n } }, { authorization: `Bearer ${token}` })).status);
    }
    expect(statuses).toEqual([200, 400, 200, 400]);
    const literal = `{ ${Array.from({ length: 10 }, (_, i) => `b${i}: me { sessions(limit: 100) { id } }`).join(" ")} }`;
    for (let i = 0; i < 2; i += 1) {
      expect((await postRaw(api.url, { query: literal }, { authorization: `Bearer ${token}` })).status).toBe(400);
    }
  });
});
