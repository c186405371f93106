/**
 * Graceful shutdown, in process: what was sent before shutdown is served (with `Connection: close`), readiness
 * fails from the first moment, closers run after HTTP drains, and the deadline closes what is left.
 * The signal drill with a real process and 50 keep-alive clients is in shutdown-process.test.ts. @see issue 10
 */
import type { AddressInfo } from "node:net";
import { afterEach, expect, test } from "vitest";
import { startTestApi, type TestApi } from "../support/api.js";
import { graphqlPost, openRawConnection } from "./raw-http.js";

let api: TestApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

const portOf = (testApi: TestApi) => (testApi.app.server.http.address() as AddressInfo).port;
const connectionCount = (testApi: TestApi) => new Promise<number>((resolve) => testApi.app.server.http.getConnections((_, n) => resolve(n)));

test("requests already started are served after shutdown begins, each with Connection: close; readiness says 503", async () => {
  api = await startTestApi({ SHUTDOWN_TIMEOUT: "20s" });
  const port = portOf(api);
  // one request stopped mid-body and one mid-headers: both are in the server's hands when shutdown begins
  const post = graphqlPost("{ __typename }");
  const midBody = openRawConnection(port);
  const midHeaders = openRawConnection(port);
  await Promise.all([midBody.ready, midHeaders.ready]);
  await midBody.write(post.head + post.body.slice(0, 5));
  await midHeaders.write("GET /readyz HTTP/1.1\r\nHost: 127.0.0.1\r\n");
  await expect.poll(() => connectionCount(api!)).toBe(2);

  const closing = api.app.server.close();
  expect(api.app.server.draining).toBe(true);
  await midBody.write(post.body.slice(5));
  await midHeaders.write("\r\n");

  const [body, headers] = await Promise.all([midBody.ended, midHeaders.ended]);
  expect(body.reset).toBe(false);
  expect(body.text).toMatch(/^HTTP\/1\.1 200/);
  expect(body.text).toMatch(/\r\nconnection: close\r\n/i);
  expect(body.text).toContain('{"data":{"__typename":"Query"}}');
  expect(headers.reset).toBe(false);
  expect(headers.text).toMatch(/^HTTP\/1\.1 503/);
  expect(headers.text).toMatch(/\r\nconnection: close\r\n/i);
  await closing;
});

test("an idle keep-alive connection is closed without waiting for its keep-alive timeout", async () => {
  api = await startTestApi({ SHUTDOWN_TIMEOUT: "60s" });
  const idle = openRawConnection(portOf(api));
  await idle.ready;
  const post = graphqlPost("{ __typename }");
  await idle.write(post.head + post.body);
  await expect.poll(() => idle.received()).toContain("__typename");
  await api.app.server.close(); // would wait 60 s (the deadline) if the idle connection were kept
  const ended = await idle.ended;
  expect(ended.reset).toBe(false);
});

test("closers run once HTTP requests have drained; at the deadline whatever is left is destroyed", async () => {
  api = await startTestApi({ SHUTDOWN_TIMEOUT: "1s" });
  const events: string[] = [];
  api.app.server.addCloser(() => {
    events.push("closer");
  });
  const stalled = openRawConnection(portOf(api));
  await stalled.ready;
  const post = graphqlPost("{ __typename }");
  await stalled.write(post.head + post.body.slice(0, 3)); // and never the rest
  await expect.poll(() => connectionCount(api!)).toBe(1);
  await api.app.server.close();
  events.push("closed");
  expect(events).toEqual(["closer", "closed"]);
  await stalled.ended; // destroyed by the deadline, not left open
});
