import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, expect, test } from "vitest";
import { MeDocument } from "../generated/graphql.js";
import { accountWithSession } from "../support/accounts.js";
import { startTestApi, type TestApi } from "../support/api.js";

/** OpenTelemetry spans reach an OTLP/HTTP collector (an in-process one here), without secrets. @see issue 16 */
interface OtlpSpan {
  name: string;
  spanId: string;
  parentSpanId?: string;
  traceId: string;
  attributes?: Array<{ key: string; value: Record<string, unknown> }>;
}

const received: string[] = [];
let collector: Server;
let api: TestApi;

beforeAll(async () => {
  collector = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
    req.on("end", () => {
      if (req.url === "/v1/traces") received.push(body);
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((resolve) => collector.listen(0, "127.0.0.1", resolve));
  const endpoint = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
  api = await startTestApi({ OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_SERVICE_NAME: "auth-under-test" });
});
afterAll(async () => {
  await api?.close();
  await new Promise((resolve) => collector?.close(resolve));
});

test("a GraphQL operation is a span, with the store calls it made as its children; no token or email in any attribute", async () => {
  const { creds, payload } = await accountWithSession(api);
  await api.graphql(MeDocument, {}, { token: payload.accessToken });
  await api.app.close(); // flushes the spans

  expect(received.length).toBeGreaterThan(0);
  const spans: OtlpSpan[] = received.flatMap((body) => {
    const parsed = JSON.parse(body) as { resourceSpans: Array<{ scopeSpans: Array<{ spans: OtlpSpan[] }> }> };
    return parsed.resourceSpans.flatMap((resource) => resource.scopeSpans.flatMap((scope) => scope.spans));
  });
  const me = spans.find((span) => span.name === "graphql query me");
  expect(me).toBeDefined();
  expect(me!.attributes).toContainEqual({ key: "graphql.outcome", value: { stringValue: "OK" } });
  const lookup = spans.find((span) => span.name === "store.getSessionsWithUsers" && span.traceId === me!.traceId);
  expect(lookup?.parentSpanId).toBe(me!.spanId);
  expect(received.join("")).toContain("auth-under-test");
  for (const secret of [payload.accessToken, payload.refreshToken, creds.email, creds.password]) expect(received.join("")).not.toContain(secret);
});
