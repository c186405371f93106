import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { MeDocument } from "../generated/graphql.js";
import { accountWithSession } from "../support/accounts.js";
import { startTestApi, type TestApi } from "../support/api.js";

/** GET /metrics in Prometheus format, moved by real requests. @see issue 16 */
let api: TestApi;
let base: string;
beforeAll(async () => {
  api = await startTestApi({ SESSION_LIMIT: "0" });
  base = api.url.replace(/\/graphql$/, "");
});
afterAll(async () => {
  await api?.close();
});

async function scrape(headers: Record<string, string> = {}): Promise<string> {
  const res = await fetch(`${base}/metrics`, { headers });
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/text\/plain/);
  return res.text();
}

/** The value of one series, 0 when absent. */
function value(text: string, series: string): number {
  const line = text.split("\n").find((candidate) => candidate.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

describe("GET /metrics", () => {
  test("a login and a refused token move their series; no email or token shows up", async () => {
    const logins = 'auth_events_total{type="LOGIN",outcome="SUCCESS",reason=""}';
    const refused = 'graphql_requests_total{operation="me",code="UNAUTHENTICATED",reason="TOKEN_INVALID"}';
    const before = await scrape();

    const { creds, payload } = await accountWithSession(api);
    await api.graphql(MeDocument, {}, { token: payload.accessToken });
    await api.graphql(MeDocument, {}, { token: "forged.token.value" });

    const after = await scrape();
    expect(value(after, logins) - value(before, logins)).toBe(1);
    expect(value(after, refused) - value(before, refused)).toBe(1);
    expect(value(after, 'graphql_requests_total{operation="me",code="OK",reason=""}')).toBeGreaterThanOrEqual(1);
    expect(value(after, "auth_session_lookup_batch_size_count")).toBeGreaterThan(value(before, "auth_session_lookup_batch_size_count"));
    expect(after).toContain("db_pool_connections_in_use");
    expect(after).toContain("graphql_ws_open_sockets 0");
    expect(after).toContain("process_cpu_seconds_total");
    for (const secret of [creds.email, creds.password, payload.accessToken, payload.refreshToken, payload.user.id]) expect(after).not.toContain(secret);
  });

  test("with METRICS_TOKEN, a scrape without the token is 401; production without a token refuses to start", async () => {
    const guarded = await startTestApi({ METRICS_TOKEN: "scrape-token-0123456789" }, api.databaseUrl);
    try {
      const root = guarded.url.replace(/\/graphql$/, "");
      expect((await fetch(`${root}/metrics`)).status).toBe(401);
      expect((await fetch(`${root}/metrics`, { headers: { authorization: "Bearer wrong-token-0123456789" } })).status).toBe(401);
      expect((await fetch(`${root}/metrics`, { headers: { authorization: "Bearer scrape-token-0123456789" } })).status).toBe(200);
    } finally {
      await guarded.close();
    }
    await expect(startTestApi({ NODE_ENV: "production", METRICS_ENABLED: "true" }, api.databaseUrl)).rejects.toThrow(/METRICS_TOKEN/);
  });
});
