import { afterAll, beforeAll, expect, test } from "vitest";
import { createLogger } from "../../src/logger.js";
import { LoginDocument, MeDocument } from "../generated/graphql.js";
import { accountWithSession } from "../support/accounts.js";
import { startTestApi, TEST_JWT_SECRET, type TestApi } from "../support/api.js";

/** Production logs one JSON line per request, with a request id and no secret. @see issue 16 */
const lines: string[] = [];
let api: TestApi;
beforeAll(async () => {
  const log = createLogger({ level: "info", json: true, write: (line) => lines.push(line) });
  api = await startTestApi(
    { NODE_ENV: "production", JWT_SECRET: TEST_JWT_SECRET, MAIL_ENABLED: "false", METRICS_ENABLED: "false", PRODUCTION_OVERRIDES: "rate-limits-off" },
    undefined,
    undefined,
    log,
  );
});
afterAll(async () => {
  await api?.close();
});

test("each request logs operation, outcome, reason, duration and its request id (from traceparent when sent)", async () => {
  const { creds, payload } = await accountWithSession(api);
  const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
  const me = await api.graphql(MeDocument, {}, { token: payload.accessToken, headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` } });
  expect(me.headers.get("x-request-id")).toBe(traceId);
  await api.graphql(LoginDocument, { input: { login: creds.email, password: "a wrong password for sure" } });

  const requests = lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((entry) => entry.message === "request");
  expect(requests).toContainEqual(
    expect.objectContaining({ level: "info", requestId: traceId, operation: "me", outcome: "OK", durationMs: expect.any(Number) }),
  );
  expect(requests).toContainEqual(
    expect.objectContaining({ operation: "login", outcome: "UNAUTHENTICATED", reason: "INVALID_CREDENTIALS", requestId: expect.any(String) }),
  );
  const all = lines.join("\n");
  for (const secret of [creds.email, creds.password, payload.accessToken, payload.refreshToken]) expect(all).not.toContain(secret);
});
