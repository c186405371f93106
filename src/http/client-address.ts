import { isIP } from "node:net";
import type { IncomingMessage } from "node:http";

/**
 * The client's address. Without trusted proxies (TRUST_PROXY=0, the default) it is the socket's peer and
 * X-Forwarded-For is ignored, since any client can send it. With `trustedHops` proxies in front, each of which
 * appends the address it received the request from, the client is the `trustedHops`-th entry from the right:
 * entries further left were written by the client and are not believed.
 */
export function clientAddress(req: IncomingMessage, trustedHops: number): string | null {
  const peer = normalizeAddress(req.socket.remoteAddress ?? null);
  if (trustedHops <= 0) return peer;
  const header = req.headers["x-forwarded-for"];
  const forwarded = (Array.isArray(header) ? header.join(",") : (header ?? ""))
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "");
  if (forwarded.length === 0) return peer;
  // the peer is the nearest proxy; with fewer entries than hops, the furthest one written by a trusted proxy
  const candidate = forwarded[Math.max(forwarded.length - trustedHops, 0)]!;
  return isIP(candidate) !== 0 ? normalizeAddress(candidate) : peer;
}

/** IPv4-mapped IPv6 (::ffff:1.2.3.4) as plain IPv4, so one client has one address. */
function normalizeAddress(address: string | null): string | null {
  if (address === null) return null;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped?.[1] ?? address;
}
