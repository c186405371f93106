/**
 * The live-sessions scenario (issue 12): many idle authenticated WebSockets on one instance, each subscribed to
 * `sessionEnded`; what they cost in memory and in `me` throughput, and how long a logout takes to close its socket.
 */
import { readFile } from "node:fs/promises";
import { createClient, type Client } from "graphql-ws";
import WebSocket from "ws";
import { driveMe, type Load, type ScenarioResult } from "./scenarios.js";
import type { SeededUser } from "./seed.js";

/** What the scenario measured. */
export interface SocketsResult {
  sockets: number;
  rssBeforeMiB: number;
  rssAfterMiB: number;
  /** API process RSS growth divided by the number of sockets (includes their sessions' watch and timers). */
  kibPerSocket: number;
  /** `me` before the sockets open and after they close (the machine's drift shows between the two), and with them open. */
  meWithout: ScenarioResult;
  meWith: ScenarioResult;
  meAfter: ScenarioResult;
  /** From sending `logout` over HTTP to the socket's 4401 close, with every other socket still open. */
  closeAfterLogoutMs: { samples: number; p50: number; p99: number; max: number; lateOver1s: number };
}

const LOGIN = "mutation Login($input: LoginInput!) { login(input: $input) { accessToken } }";
const LOGOUT = JSON.stringify({ query: "mutation { logout }" });

/** Runs the scenario against a running API (SESSION_LIMIT=0, so every login adds a session). */
export async function runSocketsScenario(options: {
  apiUrl: string;
  apiPid: number;
  users: readonly SeededUser[];
  sockets: number;
  revocations: number;
  meLoad: Load;
  say: (line: string) => void;
}): Promise<SocketsResult> {
  const { apiUrl, say } = options;
  const wsUrl = apiUrl.replace(/^http:/, "ws:");
  const tokens = options.users.map((user) => user.accessToken);

  await driveMe("warm-up", "api", apiUrl, { ...options.meLoad, durationSeconds: Math.min(3, options.meLoad.durationSeconds) }, tokens);
  const meWithout = await driveMe("me, no sockets open", "api", apiUrl, options.meLoad, tokens);
  say(`  me without sockets: ${meWithout.requestsPerSecond.toFixed(0)} req/s`);

  const started = performance.now();
  const accessTokens = await inParallel(options.sockets, 4, (index) => logIn(apiUrl, options.users[index % options.users.length]!));
  say(`  ${options.sockets} sessions opened in ${((performance.now() - started) / 1000).toFixed(1)} s`);

  const rssBefore = await rssBytes(options.apiPid);
  const sockets = await inParallel(options.sockets, 50, (index) => openWatchedSocket(wsUrl, accessTokens[index]!));
  await new Promise((resolve) => setTimeout(resolve, 1_000)); // let the server settle its allocations
  const rssAfter = await rssBytes(options.apiPid);
  const kibPerSocket = (rssAfter - rssBefore) / 1024 / options.sockets;
  say(`  ${options.sockets} idle sockets: API RSS ${mib(rssBefore)} → ${mib(rssAfter)} MiB, about ${kibPerSocket.toFixed(1)} KiB per socket`);

  const meWith = await driveMe(`me, ${options.sockets} sockets open`, "api", apiUrl, options.meLoad, tokens);
  say(`  me with ${options.sockets} sockets open: ${meWith.requestsPerSecond.toFixed(0)} req/s`);

  const samples: number[] = [];
  for (let index = 0; index < Math.min(options.revocations, sockets.length); index++) {
    const socket = sockets[index]!;
    const sent = performance.now();
    const response = await fetch(apiUrl, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${accessTokens[index]}` },
      body: LOGOUT,
    });
    if (!response.ok) throw new Error(`logout failed with HTTP ${response.status}`);
    const code = await socket.closed;
    if (code !== 4401) throw new Error(`socket closed with ${code}, not 4401`);
    samples.push(performance.now() - sent);
  }
  await Promise.all(sockets.map((socket) => socket.client.dispose()));
  const meAfter = await driveMe("me, sockets closed again", "api", apiUrl, options.meLoad, tokens);
  say(`  me after closing them: ${meAfter.requestsPerSecond.toFixed(0)} req/s`);
  samples.sort((a, b) => a - b);
  const at = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))] ?? 0;
  const closeAfterLogoutMs = {
    samples: samples.length,
    p50: at(0.5),
    p99: at(0.99),
    max: samples.at(-1) ?? 0,
    lateOver1s: samples.filter((ms) => ms > 1_000).length,
  };
  say(
    `  logout → socket closed (4401): p50 ${closeAfterLogoutMs.p50.toFixed(1)} ms, p99 ${closeAfterLogoutMs.p99.toFixed(1)} ms, max ${closeAfterLogoutMs.max.toFixed(1)} ms over ${samples.length}`,
  );
  return { sockets: options.sockets, rssBeforeMiB: mib(rssBefore), rssAfterMiB: mib(rssAfter), kibPerSocket, meWithout, meWith, meAfter, closeAfterLogoutMs };
}

async function logIn(apiUrl: string, user: SeededUser): Promise<string> {
  const response = await fetch(apiUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query: LOGIN, variables: { input: { login: user.login, password: user.password } } }),
  });
  const body = (await response.json()) as { data?: { login: { accessToken: string } } };
  if (!body.data) throw new Error(`login failed with HTTP ${response.status}`);
  return body.data.login.accessToken;
}

/** A graphql-ws client subscribed to `sessionEnded`; `closed` settles with the close code. */
async function openWatchedSocket(wsUrl: string, token: string): Promise<{ client: Client; closed: Promise<number> }> {
  let onClosed!: (code: number) => void;
  let onConnected!: () => void;
  const closed = new Promise<number>((resolve) => (onClosed = resolve));
  const connected = new Promise<void>((resolve) => (onConnected = resolve));
  const client = createClient({
    url: wsUrl,
    webSocketImpl: WebSocket,
    lazy: false,
    retryAttempts: 0,
    connectionParams: { authorization: `Bearer ${token}` },
    on: { connected: () => onConnected(), closed: (event) => onClosed((event as { code: number }).code) },
    onNonLazyError: () => undefined,
  });
  client.subscribe({ query: "subscription { sessionEnded { id status } }" }, { next: () => undefined, error: () => undefined, complete: () => undefined });
  await connected;
  return { client, closed };
}

async function inParallel<T>(count: number, concurrency: number, work: (index: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      results[index] = await work(index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return results;
}

async function rssBytes(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, "utf8").catch(() => "");
  const kib = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  return kib * 1024;
}

const mib = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;
