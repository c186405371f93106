import { afterEach, expect, test, vi } from "vitest";
import type { Logger } from "../logger.js";
import { createOutageMonitor } from "./outage-monitor.js";

afterEach(() => {
  vi.useRealTimers();
});

/** @see issue 10 */
test("an outage is logged once when it starts and once when the database answers again, with the refusals counted", async () => {
  vi.useFakeTimers();
  const lines: Array<{ level: string; message: string; fields?: Record<string, unknown> }> = [];
  const log: Logger = {
    debug: () => undefined,
    info: (message, fields) => lines.push({ level: "info", message, fields }),
    warn: (message, fields) => lines.push({ level: "warn", message, fields }),
    error: (message, fields) => lines.push({ level: "error", message, fields }),
  };
  let up = false;
  const monitor = createOutageMonitor({ ping: async () => (up ? undefined : Promise.reject(new Error("down"))), log });
  const cause = new Error("Query read timeout");
  for (let i = 0; i < 1000; i++) monitor.refused(cause);
  await vi.advanceTimersByTimeAsync(3_000);
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatchObject({ level: "error", fields: { cause: "Query read timeout" } });

  up = true;
  await vi.advanceTimersByTimeAsync(1_000);
  expect(lines).toHaveLength(2);
  expect(lines[1]).toMatchObject({ level: "info", message: "database available again", fields: { refusedRequests: 1000 } });

  monitor.refused(cause); // a new outage is a new first line
  expect(lines).toHaveLength(3);
  monitor.stop();
});
