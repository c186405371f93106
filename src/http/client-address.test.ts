import type { IncomingMessage } from "node:http";
import { describe, expect, test } from "vitest";
import { clientAddress } from "./client-address.js";

const request = (remoteAddress: string, forwardedFor?: string) =>
  ({ socket: { remoteAddress }, headers: forwardedFor === undefined ? {} : { "x-forwarded-for": forwardedFor } }) as unknown as IncomingMessage;

describe("clientAddress()", () => {
  test("ignores X-Forwarded-For unless proxies are trusted", () => {
    expect(clientAddress(request("10.0.0.5", "203.0.113.7"), 0)).toBe("10.0.0.5");
  });

  test("takes the entry the trusted proxy appended, not what the client wrote before it", () => {
    expect(clientAddress(request("10.0.0.5", "1.2.3.4, 203.0.113.7"), 1)).toBe("203.0.113.7");
    expect(clientAddress(request("10.0.0.5", "1.2.3.4, 203.0.113.7, 10.0.0.9"), 2)).toBe("203.0.113.7");
  });

  test("falls back to the peer when the header is missing or the entry is not an address", () => {
    expect(clientAddress(request("10.0.0.5"), 1)).toBe("10.0.0.5");
    expect(clientAddress(request("10.0.0.5", "not-an-ip"), 1)).toBe("10.0.0.5");
  });

  test("unmaps IPv4-mapped IPv6 peers", () => {
    expect(clientAddress(request("::ffff:127.0.0.1"), 0)).toBe("127.0.0.1");
  });
});
