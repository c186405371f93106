import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, expect, test } from "vitest";
import { HttpClient } from "./http-client.js";

// A real server and a real connection: the signal must follow the socket, whenever it is first asked for.
let server: Server | undefined;
afterEach(async () => {
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = undefined;
});

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<number> {
  server = createServer(handler);
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  return (server.address() as AddressInfo).port;
}

/** Sends a request and resets the connection once the server has it; resolves when the socket is gone. */
function sendAndHangUp(port: number): void {
  const req = request({ port, host: "127.0.0.1", method: "POST", path: "/" });
  req.on("error", () => undefined);
  req.write("{}");
  setTimeout(() => req.destroy(), 50);
}

test("a signal asked for before the client hangs up aborts when it does", async () => {
  let client!: HttpClient;
  let signal!: AbortSignal;
  const port = await serve((req, res) => {
    client = new HttpClient(null, null, res);
    signal = client.signal;
  });
  sendAndHangUp(port);
  await expect.poll(() => signal?.aborted).toBe(true);
});

test("a signal first asked for after the client hung up is already aborted", async () => {
  let response: ServerResponse | undefined;
  const port = await serve((_req, res) => {
    response = res;
  });
  sendAndHangUp(port);
  await expect.poll(() => response?.destroyed).toBe(true);
  expect(new HttpClient(null, null, response!).signal.aborted).toBe(true);
});

test("a request answered in full never aborts its signal", async () => {
  let signal!: AbortSignal;
  const port = await serve((_req, res) => {
    signal = new HttpClient(null, null, res).signal;
    res.end("done");
  });
  const answered = await fetch(`http://127.0.0.1:${port}/`);
  expect(await answered.text()).toBe("done");
  await new Promise((resolve) => setTimeout(resolve, 50));
  expect(signal.aborted).toBe(false);
});
