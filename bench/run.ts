/**
 * `npm run bench`: starts the API (production mode) and the no-database baseline as child processes on an
 * embedded PostgreSQL in a temp dir (or on BENCH_DATABASE_URL / DATABASE_URL, in a temporary database),
 * seeds users through the API, measures the machine's argon2id rate, drives every scenario with autocannon
 * from this process, prints the table and writes bench/results/latest.{json,md}. `--smoke`: a short run.
 */
import { randomBytes } from "node:crypto";
import { chmod, mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { loadConfig } from "../src/config.js";
import { startEmbeddedPostgres } from "../src/storage/postgres/embedded.js";
import { measureArgon2Rate } from "./argon2-rate.js";
import { cleanUp, cpuTimeMs, findFreePort, installExitHandlers, isCleaningUp, onCleanup, startNodeChild, waitUntilReady } from "./processes.js";
import { formatTable, summarise, writeReport, type GoalCheck, type Report, type Row } from "./report.js";
import { driveLogin, driveMe, driveRenew, type Load, type ScenarioResult } from "./scenarios.js";
import { seedUsers } from "./seed.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const RESULTS_DIR = path.join(ROOT, "bench", "results");

const SCENARIOS = ["me", "login", "renew", "storm"] as const;
type ScenarioName = (typeof SCENARIOS)[number];

interface Settings {
  durationSeconds: number;
  rounds: number;
  users: number;
  meConnections: number;
  mutationConnections: number;
  scenarios: ScenarioName[];
  databaseUrl: string | undefined;
  cpuProfile: boolean;
}

function readSettings(argv: readonly string[], env: NodeJS.ProcessEnv): Settings {
  const smoke = argv.includes("--smoke");
  const int = (name: string, fallback: number, min = 1) => {
    const raw = env[name];
    if (raw === undefined || raw === "") return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min) throw new Error(`${name}: must be a whole number ≥ ${min} (got "${raw}")`);
    return value;
  };
  const only = (env.BENCH_SCENARIOS ?? "").split(",").map((name) => name.trim()).filter(Boolean);
  const unknown = only.filter((name) => !(SCENARIOS as readonly string[]).includes(name));
  if (unknown.length > 0) throw new Error(`BENCH_SCENARIOS: unknown ${unknown.join(", ")} (choose from ${SCENARIOS.join(", ")})`);
  const users = int("BENCH_USERS", smoke ? 50 : 200, 40);
  const mutationConnections = int("BENCH_MUTATION_CONNECTIONS", 16);
  // renewToken keeps one refresh-token chain per seeded user and needs two per connection
  if (users < mutationConnections * 2) throw new Error(`BENCH_USERS must be at least twice BENCH_MUTATION_CONNECTIONS (${mutationConnections * 2})`);
  return {
    durationSeconds: int("BENCH_DURATION", smoke ? 2 : 10),
    rounds: int("BENCH_ROUNDS", smoke ? 1 : 2),
    users,
    meConnections: int("BENCH_CONNECTIONS", 50),
    mutationConnections,
    scenarios: only.length > 0 ? (only as ScenarioName[]) : [...SCENARIOS],
    databaseUrl: env.BENCH_DATABASE_URL || env.DATABASE_URL || undefined,
    cpuProfile: env.BENCH_CPU_PROF === "1",
  };
}

let apiLogWritten = false; // this run's API log exists (an older one may lie in bench/results)

const say = (message: string) => {
  if (!isCleaningUp()) process.stdout.write(`${message}\n`);
};

/** A PostgreSQL database for this run only: an embedded server in `tmp`, or a new database on the given server. */
async function openBenchDatabase(tmp: string, givenUrl: string | undefined): Promise<{ url: string; description: string }> {
  if (givenUrl === undefined) {
    await chmod(tmp, 0o755); // as root, the embedded server runs as `postgres` and must reach its directory
    const server = await startEmbeddedPostgres({
      dataDir: path.join(tmp, "postgres"),
      port: await findFreePort(),
      database: "graphql_auth_bench",
      log: (message) => {
        if (message.startsWith("postgres:") && !isCleaningUp()) process.stderr.write(`[bench postgres] ${message}\n`);
      },
    });
    onCleanup(() => server.stop());
    return { url: server.url, description: "embedded PostgreSQL 17 in a temp dir" };
  }
  const name = `bench_${Date.now().toString(36)}_${randomBytes(3).toString("hex")}`;
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: givenUrl });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  try {
    await admin(`CREATE DATABASE ${name}`);
  } catch (error) {
    throw new Error(`could not create a temporary database on the given server (the role needs CREATEDB): ${error instanceof Error ? error.message : String(error)}`);
  }
  onCleanup(() => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  const url = new URL(givenUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), description: `temporary database ${name} on the given PostgreSQL` };
}

async function readPostmasterPid(pgdata: string): Promise<number | null> {
  const first = (await readFile(path.join(pgdata, "postmaster.pid"), "utf8").catch(() => "")).split("\n")[0] ?? "";
  return /^\d+$/.test(first) ? Number(first) : null;
}

function goalChecks(rows: Row[], argon2Rate: number): GoalCheck[] {
  const find = (scenario: string) => rows.find((row) => row.scenario === scenario);
  const baseline = find(ME_BASELINE);
  const me = find(ME_API);
  const login = find(LOGIN);
  const storm = find(ME_STORM);
  const failed = (row: Row) => row.errors + row.timeouts + row.non2xx + row.badBodies;
  const checks: GoalCheck[] = [];
  if (baseline && me) {
    const ratio = me.requestsPerSecond / baseline.requestsPerSecond;
    checks.push({ goal: "`me` ≥ 0.75× the baseline's req/s", measured: `${ratio.toFixed(2)}× (${me.requestsPerSecond.toFixed(0)} vs ${baseline.requestsPerSecond.toFixed(0)} req/s)`, met: ratio >= 0.75 });
    const p99 = me.p99Ms / Math.max(baseline.p99Ms, 0.001);
    checks.push({ goal: "`me` p99 ≤ 3× the baseline's p99", measured: `${p99.toFixed(2)}× (${me.p99Ms.toFixed(1)} vs ${baseline.p99Ms.toFixed(1)} ms)`, met: p99 <= 3 });
    checks.push({ goal: "`me`: zero errors", measured: `${me.errors} errors, ${me.timeouts} timeouts, ${me.non2xx} non-2xx`, met: failed(me) === 0 });
  }
  if (login) {
    const ratio = login.requestsPerSecond / argon2Rate;
    checks.push({ goal: "`login` ≥ 0.9× the machine's argon2id rate", measured: `${ratio.toFixed(2)}× (${login.requestsPerSecond.toFixed(1)} logins/s vs ${argon2Rate.toFixed(1)} hashes/s)`, met: ratio >= 0.9 });
  }
  if (storm) {
    checks.push({ goal: "`me` keeps answering during a login storm (no errors, no timeouts)", measured: `${failed(storm)} failed, p99 ${storm.p99Ms.toFixed(1)} ms`, met: failed(storm) === 0 });
  }
  return checks;
}

const ME_BASELINE = "me — baseline (JWT only, no database)";
const ME_API = "me — strict session check";
const LOGIN = "login (argon2id)";
const RENEW = "renewToken (rotation)";
const ME_STORM = "me — during a login storm";
const LOGIN_STORM = "login — the storm";

async function main(): Promise<void> {
  installExitHandlers();
  const settings = readSettings(process.argv.slice(2), process.env);
  const loadBefore = os.loadavg();
  const cores = os.availableParallelism();
  say(`graphql-auth-api benchmark · ${cores} cores (${os.cpus()[0]?.model ?? "unknown CPU"}) · Node ${process.versions.node} · load average ${loadBefore.map((n) => n.toFixed(2)).join(" ")}`);
  say(`${settings.durationSeconds} s per scenario, ${settings.rounds} round(s) of me/baseline, ${settings.users} users. Figures vary between runs; compare the ratios.`);

  await mkdir(RESULTS_DIR, { recursive: true }); // also holds the children's logs (api.log, baseline.log)
  const tmp = await mkdtemp(path.join(os.tmpdir(), "graphql-auth-bench-"));
  onCleanup(() => rm(tmp, { recursive: true, force: true }));
  const database = await openBenchDatabase(tmp, settings.databaseUrl);
  say(`database: ${database.description}`);

  const [apiPort, baselinePort] = [await findFreePort(), await findFreePort()];
  const runId = randomBytes(3).toString("hex");
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "production",
    JWT_SECRET: randomBytes(48).toString("base64"),
    RATE_LIMIT_ENABLED: "false",
    DATABASE_URL: database.url,
    DATA_DIR: path.join(tmp, "data"),
    HOST: "127.0.0.1",
    LOG_LEVEL: "warn",
    SESSION_LIMIT: "0", // every login adds a session; none is replaced
    ACCESS_TOKEN_TTL: "1h", // outlives the longest run
  };
  const config = loadConfig(env);
  const profileArgs = settings.cpuProfile ? ["--cpu-prof", "--cpu-prof-dir", path.join(RESULTS_DIR, "profiles")] : [];
  apiLogWritten = true;
  const api = startNodeChild({ name: "API", script: path.join(ROOT, "src/main.ts"), env: { ...env, PORT: String(apiPort) }, logFile: path.join(RESULTS_DIR, "api.log"), nodeArgs: profileArgs });
  const baseline = startNodeChild({ name: "baseline", script: path.join(ROOT, "bench/baseline-server.ts"), env: { ...env, PORT: String(baselinePort) }, logFile: path.join(RESULTS_DIR, "baseline.log"), nodeArgs: profileArgs });
  const apiUrl = `http://127.0.0.1:${apiPort}/graphql`;
  const baselineUrl = `http://127.0.0.1:${baselinePort}/graphql`;
  await Promise.all([waitUntilReady(api, `http://127.0.0.1:${apiPort}/readyz`), waitUntilReady(baseline, `http://127.0.0.1:${baselinePort}/healthz`)]);
  say(`API (NODE_ENV=production, pool ${config.database.poolSize}, argon2 at most ${config.passwords.maxConcurrentHashes} at once) and baseline are up`);

  const seedStarted = performance.now();
  const users = await seedUsers(apiUrl, settings.users, { runId });
  say(`seeded ${users.length} users with a session each in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s`);

  // argon2id's rate on this machine, measured in this process with the API's limit of hashes at once, right
  // before and right after the login scenario (the machine's load drifts), and averaged
  const argon2Params = config.passwords.argon2;
  const argon2Seconds = Math.min(5, Math.max(2, settings.durationSeconds / 2));
  const argon2Samples: Array<Awaited<ReturnType<typeof measureArgon2Rate>>> = [];
  const sampleArgon2 = async () => {
    const sample = await measureArgon2Rate(argon2Params, config.passwords.maxConcurrentHashes, argon2Seconds);
    argon2Samples.push(sample);
    say(`  argon2id (m=${argon2Params.memoryKiB} KiB, t=${argon2Params.iterations}, p=${argon2Params.parallelism}), ${config.passwords.maxConcurrentHashes} at once: ${sample.hashesPerSecond.toFixed(1)} hashes/s (${sample.msPerHash.toFixed(1)} ms each)`);
  };

  // CPU time per request, read from /proc around each sequential run (absent on other systems)
  const postmasterPid = settings.databaseUrl === undefined ? await readPostmasterPid(path.join(tmp, "postgres", "pgdata")) : null;
  const withCpu = async (target: "api" | "baseline", run: () => Promise<ScenarioResult>): Promise<ScenarioResult> => {
    const pid = (target === "api" ? api : baseline).process.pid!;
    const snapshot = async () => ({ server: await cpuTimeMs(pid), database: postmasterPid === null ? null : await cpuTimeMs(postmasterPid, true) });
    const before = await snapshot();
    const result = await run();
    const after = await snapshot();
    const perRequest = (a: number | null, b: number | null) => (a === null || b === null || result.requests === 0 ? null : ((b - a) * 1000) / result.requests);
    result.cpuUsPerRequest = { server: perRequest(before.server, after.server), database: target === "api" ? perRequest(before.database, after.database) : null };
    return result;
  };

  const tokens = users.map((user) => user.accessToken);
  const meLoad: Load = { connections: settings.meConnections, durationSeconds: settings.durationSeconds };
  const mutationLoad: Load = { connections: settings.mutationConnections, durationSeconds: settings.durationSeconds };
  const runs: ScenarioResult[] = [];
  const record = (result: ScenarioResult) => {
    runs.push(result);
    const failed = result.errors + result.non2xx + result.badBodies;
    const cpu = result.cpuUsPerRequest;
    const cpuText = cpu?.server != null ? `, CPU ${cpu.server.toFixed(0)}${cpu.database != null ? ` + ${cpu.database.toFixed(0)} (db)` : ""} µs/req` : "";
    say(`  ${result.scenario}: ${result.requestsPerSecond.toFixed(0)} req/s, p50 ${result.latencyMs.p50} ms, p99 ${result.latencyMs.p99} ms${cpuText}${failed > 0 ? `, ${result.errors} errors / ${result.non2xx} non-2xx` : ""}`);
    return result;
  };
  const has = (name: ScenarioName) => settings.scenarios.includes(name);

  if (has("me") || has("storm")) {
    const warmUp: Load = { connections: settings.meConnections, durationSeconds: Math.min(3, settings.durationSeconds) };
    say("warming up both servers…");
    await driveMe("warm-up", "baseline", baselineUrl, warmUp, tokens);
    await driveMe("warm-up", "api", apiUrl, warmUp, tokens);
  }
  if (has("me")) {
    for (let round = 1; round <= settings.rounds; round++) {
      say(`round ${round}/${settings.rounds}: me on the baseline and on the API`);
      // alternate the order so neither side always runs on a machine warmed (or loaded) by the other
      const order = round % 2 === 1 ? (["baseline", "api"] as const) : (["api", "baseline"] as const);
      for (const target of order) {
        if (target === "baseline") record(await withCpu("baseline", () => driveMe(ME_BASELINE, "baseline", baselineUrl, meLoad, tokens)));
        else record(await withCpu("api", () => driveMe(ME_API, "api", apiUrl, meLoad, tokens)));
      }
    }
  }
  if (has("login") || has("storm")) await sampleArgon2();
  if (has("login")) {
    record(await withCpu("api", () => driveLogin(LOGIN, apiUrl, mutationLoad, users)));
    await sampleArgon2();
  }
  if (has("renew")) record(await withCpu("api", () => driveRenew(RENEW, apiUrl, mutationLoad, users.map((user) => user.refreshToken))));
  if (has("storm")) {
    say("me and a login storm at the same time");
    const [me, storm] = await Promise.all([driveMe(ME_STORM, "api", apiUrl, meLoad, tokens), driveLogin(LOGIN_STORM, apiUrl, mutationLoad, users)]);
    record(me);
    record(storm);
  }

  const argon2 = {
    hashesPerSecond: argon2Samples.reduce((sum, sample) => sum + sample.hashesPerSecond, 0) / Math.max(argon2Samples.length, 1),
    msPerHash: argon2Samples.reduce((sum, sample) => sum + sample.msPerHash, 0) / Math.max(argon2Samples.length, 1),
    samples: argon2Samples.map((sample) => sample.hashesPerSecond),
  };
  const rows = summarise(runs);
  const baselineRow = rows.find((row) => row.scenario === ME_BASELINE);
  for (const row of rows) {
    if (row.scenario === ME_BASELINE) row.ratio = "1.00× baseline";
    else if ((row.scenario === ME_API || row.scenario === ME_STORM) && baselineRow) row.ratio = `${(row.requestsPerSecond / baselineRow.requestsPerSecond).toFixed(2)}× baseline`;
    else if (row.scenario === LOGIN || row.scenario === LOGIN_STORM) row.ratio = `${(row.requestsPerSecond / argon2.hashesPerSecond).toFixed(2)}× argon2 rate`;
  }
  const goals = goalChecks(rows, argon2.hashesPerSecond);
  const report: Report = {
    date: new Date().toISOString(),
    machine: { cores, cpu: os.cpus()[0]?.model ?? "unknown", node: process.versions.node, platform: `${os.platform()} ${os.release()}`, loadAverageBefore: loadBefore, loadAverageAfter: os.loadavg() },
    settings: {
      BENCH_DURATION: settings.durationSeconds,
      BENCH_ROUNDS: settings.rounds,
      BENCH_USERS: settings.users,
      BENCH_CONNECTIONS: settings.meConnections,
      BENCH_MUTATION_CONNECTIONS: settings.mutationConnections,
      DATABASE_POOL_SIZE: config.database.poolSize,
      ARGON2_MAX_CONCURRENT: config.passwords.maxConcurrentHashes,
      database: database.description,
    },
    argon2: { ...argon2, concurrency: config.passwords.maxConcurrentHashes, params: argon2Params },
    rows,
    goals,
    runs,
  };
  say("");
  say(formatTable(rows));
  say("");
  for (const goal of goals) say(`${goal.met ? "PASS" : "MISS"}  ${goal.goal}: ${goal.measured}`);
  say(`\n${cores} cores shared by the API, PostgreSQL and the load generator; figures vary between runs (load average now ${os.loadavg().map((n) => n.toFixed(2)).join(" ")}).`);
  const written = await writeReport(RESULTS_DIR, report);
  say(`wrote ${path.relative(ROOT, written.json)} and ${path.relative(ROOT, written.markdown)}`);
}

main()
  .then(() => cleanUp())
  .then(() => process.exit(0))
  .catch(async (error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? error.message : String(error)}\n`);
    const apiLog = apiLogWritten ? await readFile(path.join(RESULTS_DIR, "api.log"), "utf8").catch(() => "") : "";
    if (apiLog.trim() !== "") process.stderr.write(`--- last lines of bench/results/api.log ---\n${apiLog.split("\n").slice(-15).join("\n")}\n`);
    await cleanUp();
    process.exit(1);
  });
