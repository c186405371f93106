import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, test } from "vitest";
import type { Logger } from "../logger.js";
import { createCors, type CorsSettings } from "./cors.js";

/** CORS as a browser meets it, over a real socket. @see issue 9 ("Browser-friendly CORS and headers") */
const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

const DEV: CorsSettings = { origins: [], allowLoopback: true, allowedHeaders: ["authorization", "content-type", "apollographql-client-name", "traceparent"] };

async function serve(settings: CorsSettings, warnings: string[] = []) {
  const log: Logger = { debug() {}, info() {}, warn: (_message, fields) => warnings.push(String(fields?.origin)), error() {} };
  const cors = createCors(settings, log);
  const server = createServer((req, res) => {
    if (cors.apply(req, res)) return;
    res.writeHead(401, { "www-authenticate": "Bearer", "retry-after": "5" }).end("{}");
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`, cors };
}

describe("createCors()", () => {
  test.each(["http://localhost:5173", "http://127.0.0.1:8080", "http://[::1]:3000", "https://localhost"])(
    "allows the loopback origin %s in development",
    async (origin) => {
      const { url } = await serve(DEV);
      const res = await fetch(url, { method: "OPTIONS", headers: { origin, "access-control-request-method": "POST" } });
      expect(res.headers.get("access-control-allow-origin")).toBe(origin);
    },
  );

  test("refuses loopback origins when loopback is off (production), and look-alike hosts always", async () => {
    const { cors } = await serve({ ...DEV, allowLoopback: false });
    expect(cors.isOriginAllowed("http://localhost:5173")).toBe(false);
    const dev = createCors(DEV, { debug() {}, info() {}, warn() {}, error() {} });
    expect(dev.isOriginAllowed("http://localhost.evil.example")).toBe(false);
    expect(dev.isOriginAllowed("http://127.0.0.1.nip.io:5173")).toBe(false);
    expect(dev.isOriginAllowed("null")).toBe(false);
  });

  test("a preflight allows Apollo Client's awareness headers and tracing headers", async () => {
    const { url } = await serve(DEV);
    const res = await fetch(url, {
      method: "OPTIONS",
      headers: {
        origin: "http://localhost:5173",
        "access-control-request-method": "POST",
        "access-control-request-headers": "apollographql-client-name, traceparent",
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-headers")).toContain("apollographql-client-name");
    expect(res.headers.get("access-control-allow-headers")).toContain("traceparent");
    expect(res.headers.get("access-control-allow-credentials")).toBeNull();
  });

  test("Retry-After and WWW-Authenticate are exposed to scripts", async () => {
    const { url } = await serve(DEV);
    const res = await fetch(url, { method: "POST", headers: { origin: "http://localhost:5173" } });
    expect(res.headers.get("access-control-expose-headers")).toMatch(/retry-after/);
    expect(res.headers.get("access-control-expose-headers")).toMatch(/www-authenticate/);
  });

  test("a refused origin is logged once, however often it comes", async () => {
    const warnings: string[] = [];
    const { url } = await serve({ ...DEV, allowLoopback: false }, warnings);
    for (let i = 0; i < 3; i++) await fetch(url, { method: "POST", headers: { origin: "https://app.example.com" } });
    expect(warnings).toEqual(["https://app.example.com"]);
  });
});
