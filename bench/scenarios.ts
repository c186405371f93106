/** The load the benchmark drives with autocannon: `me`, `login` and `renewToken`, loopback only, bounded in time. */
import autocannon, { type Request, type Result } from "autocannon";
import type { SeededUser } from "./seed.js";

/** One autocannon run, reduced to what the report shows. */
export interface ScenarioResult {
  scenario: string;
  target: "api" | "baseline" | "apollo";
  /** The `me` round it belongs to (rounds pair the servers' figures); absent outside the rounds. */
  round?: number;
  connections: number;
  durationSeconds: number;
  requests: number;
  requestsPerSecond: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number; mean: number };
  /** Socket errors (including timeouts), timeouts alone, and answers that were not 2xx. */
  errors: number;
  timeouts: number;
  non2xx: number;
  /** Responses the scenario's own check refused (a 200 without the expected data). */
  badBodies: number;
  /** CPU time per request of the server process and of PostgreSQL (Linux, embedded database only), in µs. */
  cpuUsPerRequest?: { server: number | null; database: number | null };
}

/** How long and how hard to drive one scenario. */
export interface Load {
  connections: number;
  durationSeconds: number;
  /** Stops the run early when it settles (the scale run's sweep); durationSeconds stays the upper bound. */
  until?: Promise<unknown>;
}

const ME = JSON.stringify({ query: "query Me { me { id email username roles createdAt } }" });
const LOGIN = "mutation Login($input: LoginInput!) { login(input: $input) { accessToken refreshToken } }";
const RENEW = "mutation Renew($refreshToken: String!) { renewToken(refreshToken: $refreshToken) { accessToken refreshToken } }";
const JSON_HEADERS = { "content-type": "application/json" };

async function drive(
  scenario: string,
  target: ScenarioResult["target"],
  url: string,
  load: Load,
  request: Request,
  check?: { badBodies: number },
): Promise<ScenarioResult> {
  if (!/^http:\/\/127\.0\.0\.1:\d+\//.test(url)) throw new Error(`bench drives loopback only, not ${url}`);
  const instance = autocannon({
    url,
    connections: load.connections,
    duration: load.durationSeconds,
    timeout: 10,
    requests: [{ method: "POST", headers: JSON_HEADERS, ...request }],
  });
  void load.until?.then(() => instance.stop());
  const result: Result = await instance;
  return {
    scenario,
    target,
    connections: load.connections,
    durationSeconds: result.duration,
    requests: result.requests.total,
    requestsPerSecond: result.requests.total / result.duration,
    latencyMs: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max, mean: result.latency.mean },
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    badBodies: check?.badBodies ?? 0,
  };
}

/** `me` with the tokens of many users, a different one on every request. */
export function driveMe(scenario: string, target: ScenarioResult["target"], url: string, load: Load, tokens: readonly string[]): Promise<ScenarioResult> {
  const headers = tokens.map((token) => ({ ...JSON_HEADERS, authorization: `Bearer ${token}` }));
  let next = 0;
  return drive(scenario, target, url, load, {
    body: ME,
    setupRequest: (request) => ({ ...request, headers: headers[next++ % headers.length] }),
  });
}

/** `login` rotating over the seeded users' credentials (each success starts a new session). */
export function driveLogin(scenario: string, url: string, load: Load, users: readonly SeededUser[]): Promise<ScenarioResult> {
  const bodies = users.map((user) => JSON.stringify({ query: LOGIN, variables: { input: { login: user.login, password: user.password } } }));
  let next = 0;
  return drive(scenario, "api", url, load, {
    setupRequest: (request) => ({ ...request, body: bodies[next++ % bodies.length] }),
  });
}

/**
 * `renewToken` on many refresh-token chains: each request takes a token from the pool and its answer
 * puts the successor back, so no token is presented twice (which would be reuse and revoke the session).
 */
export async function driveRenew(scenario: string, url: string, load: Load, refreshTokens: readonly string[]): Promise<ScenarioResult> {
  if (refreshTokens.length < load.connections * 2) throw new Error(`renewToken needs at least ${load.connections * 2} refresh tokens`);
  const pool = [...refreshTokens];
  const check = { badBodies: 0 };
  const result = await drive(
    scenario,
    "api",
    url,
    load,
    {
      setupRequest: (request) => {
        // a dry pool (too many failed chains) sends a token that fails, counted as non-2xx
        const refreshToken = pool.shift() ?? "pool-ran-dry";
        return { ...request, body: JSON.stringify({ query: RENEW, variables: { refreshToken } }) };
      },
      onResponse: (status, body) => {
        const successor =
          status === 200 ? (JSON.parse(body) as { data?: { renewToken?: { refreshToken?: string } } }).data?.renewToken?.refreshToken : undefined;
        if (successor) pool.push(successor);
        else if (status === 200) check.badBodies++;
      },
    },
    check,
  );
  return result;
}

/**
 * `POST /oauth2/introspect` with the tokens of many users, a different one on every request, as a gateway
 * would call it; an answer that is not `"active":true` counts as a bad body.
 */
export function driveIntrospect(
  scenario: string,
  url: string,
  load: Load,
  tokens: readonly string[],
  client: { id: string; secret: string },
): Promise<ScenarioResult> {
  const headers = {
    "content-type": "application/x-www-form-urlencoded",
    authorization: `Basic ${Buffer.from(`${client.id}:${client.secret}`).toString("base64")}`,
  };
  const bodies = tokens.map((token) => new URLSearchParams({ token }).toString());
  const check = { badBodies: 0 };
  let next = 0;
  return drive(
    scenario,
    "api",
    url,
    load,
    {
      setupRequest: (request) => ({ ...request, headers, body: bodies[next++ % bodies.length] }),
      onResponse: (status, body) => {
        if (status === 200 && !body.startsWith('{"active":true')) check.badBodies++;
      },
    },
    check,
  );
}
