/**
 * `npm run bench`: builds the production code (`npm run build`, plus the baselines into dist/bench; BENCH_BUILD=0
 * reuses an earlier build), starts the API (`node dist/src/main.js`, production mode), the no-database baseline
 * and the bare Apollo 5 baseline as child processes on an embedded PostgreSQL in a temp dir (or on
 * BENCH_DATABASE_URL / DATABASE_URL, in a temporary database), seeds users through the API, measures the
 * machine's argon2id rate, drives every scenario with autocannon from this process (`me` in interleaved
 * rounds), prints the table and writes bench/results/latest.{json,md}. `--smoke`: a short run. BENCH_SCALE=1e6
 * (opt-in) adds the scale run last: `me` before and after seeding that many users and sessions, and during their sweep.
 */
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loadConfig } from "../src/config.js";
import { measureArgon2Rate } from "./argon2-rate.js";
import { buildForBench } from "./build.js";
import { openBenchDatabase, readPostmasterPid } from "./database.js";
import { cpuNotes, fillRatios, goalChecks, scaleGoalChecks, INTROSPECT, LOGIN, LOGIN_STORM, ME_API, ME_APOLLO, ME_BASELINE, ME_STORM, RENEW } from "./goals.js";
import { cleanUp, cpuTimeMs, findFreePort, installExitHandlers, isCleaningUp, onCleanup, startNodeChild, waitUntilReady } from "./processes.js";
import { formatTable, summarise, writeReport, type Report } from "./report.js";
import { driveIntrospect, driveLogin, driveMe, driveRenew, type Load, type ScenarioResult } from "./scenarios.js";
import { runScaleScenario, type ScaleResult } from "./scale.js";
import { seedUsers } from "./seed.js";
import { readSettings, type ScenarioName } from "./settings.js";
import { runSocketsScenario, type SocketsResult } from "./sockets.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const RESULTS_DIR = path.join(ROOT, "bench", "results");

let apiLogWritten = false; // this run's API log exists (an older one may lie in bench/results)

const say = (message: string) => {
  if (!isCleaningUp()) process.stdout.write(`${message}\n`);
};

async function main(): Promise<void> {
  installExitHandlers();
  const settings = readSettings(process.argv.slice(2), process.env);
  const loadBefore = os.loadavg();
  const cores = os.availableParallelism();
  say(
    `graphql-auth-api benchmark · ${cores} cores (${os.cpus()[0]?.model ?? "unknown CPU"}) · Node ${process.versions.node} · load average ${loadBefore.map((n) => n.toFixed(2)).join(" ")}`,
  );
  say(
    `${settings.durationSeconds} s per scenario, ${settings.rounds} round(s) of me on the three servers, ${settings.users} users. Figures vary between runs; compare the ratios.`,
  );
  const build = await buildForBench(ROOT, settings.reuseBuild);
  say(settings.reuseBuild ? "using the existing build in dist/ (BENCH_BUILD=0)" : "built: npm run build, and the baselines into dist/bench");

  await mkdir(RESULTS_DIR, { recursive: true }); // also holds the children's logs (api.log, baseline.log)
  const tmp = await mkdtemp(path.join(os.tmpdir(), "graphql-auth-bench-"));
  onCleanup(() => rm(tmp, { recursive: true, force: true }));
  const database = await openBenchDatabase(tmp, settings.databaseUrl);
  say(`database: ${database.description}`);

  const [apiPort, baselinePort, apolloPort] = [await findFreePort(), await findFreePort(), await findFreePort()];
  const runId = randomBytes(3).toString("hex");
  const introspectionSecret = randomBytes(24).toString("hex");
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "production",
    JWT_SECRET: randomBytes(48).toString("base64"),
    TOTP_ENCRYPTION_KEY: randomBytes(32).toString("base64"), // required in production; no TOTP runs here
    RATE_LIMIT_ENABLED: "false",
    PRODUCTION_OVERRIDES: "rate-limits-off", // a load test measures the API, not the brute-force limits
    MAIL_ENABLED: "false",
    DATABASE_URL: database.url,
    DATA_DIR: path.join(tmp, "data"),
    HOST: "127.0.0.1",
    // request logs cost a JSON line per request; BENCH_LOG_LEVEL=info measures them (README: Performance)
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? "warn",
    SESSION_LIMIT: "0", // every login adds a session; none is replaced
    ACCESS_TOKEN_TTL: "1h", // outlives the longest run
    INTROSPECTION_CLIENTS: `bench:${introspectionSecret}`,
    // the scale run sweeps at a moment of its choosing; the API's own timer would sweep at another
    ...(settings.scale !== undefined ? { SESSION_SWEEP_INTERVAL: "0" } : {}),
  };
  const config = loadConfig(env);
  const profiles = path.join(RESULTS_DIR, "profiles");
  const profileArgs = [
    ...(settings.cpuProfile ? ["--cpu-prof", "--cpu-prof-dir", profiles] : []),
    ...(settings.heapProfile ? ["--heap-prof", "--heap-prof-dir", profiles] : []),
  ];
  apiLogWritten = true;
  const start = (name: string, script: string, port: number, log: string) =>
    startNodeChild({ name, script, env: { ...env, PORT: String(port) }, logFile: path.join(RESULTS_DIR, log), nodeArgs: profileArgs });
  const api = start("API", build.api, apiPort, "api.log");
  const baseline = start("no-db baseline", build.baseline, baselinePort, "baseline.log");
  const apollo = start("bare Apollo baseline", build.apolloBaseline, apolloPort, "apollo-baseline.log");
  const apiUrl = `http://127.0.0.1:${apiPort}/graphql`;
  const baselineUrl = `http://127.0.0.1:${baselinePort}/graphql`;
  const apolloUrl = `http://127.0.0.1:${apolloPort}/`;
  const typename = { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: "{ __typename }" }) };
  await Promise.all([
    waitUntilReady(api, `http://127.0.0.1:${apiPort}/readyz`),
    waitUntilReady(baseline, `http://127.0.0.1:${baselinePort}/healthz`),
    waitUntilReady(apollo, apolloUrl, typename),
  ]);
  say(
    `API (node dist/src/main.js, NODE_ENV=production, pool ${config.database.poolSize}, argon2 at most ${config.passwords.maxConcurrentHashes} at once) and both baselines are up`,
  );

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
    say(
      `  argon2id (m=${argon2Params.memoryKiB} KiB, t=${argon2Params.iterations}, p=${argon2Params.parallelism}), ${config.passwords.maxConcurrentHashes} at once: ${sample.hashesPerSecond.toFixed(1)} hashes/s (${sample.msPerHash.toFixed(1)} ms each)`,
    );
  };

  // CPU time per request, read from /proc around each sequential run (absent on other systems)
  const postmasterPid = settings.databaseUrl === undefined ? await readPostmasterPid(path.join(tmp, "postgres", "pgdata")) : null;
  const children = { api, baseline, apollo };
  const withCpu = async (target: ScenarioResult["target"], run: () => Promise<ScenarioResult>): Promise<ScenarioResult> => {
    const pid = children[target].process.pid!;
    const snapshot = async () => ({ server: await cpuTimeMs(pid), database: postmasterPid === null ? null : await cpuTimeMs(postmasterPid, true) });
    const before = await snapshot();
    const result = await run();
    const after = await snapshot();
    const perRequest = (a: number | null, b: number | null) => (a === null || b === null || result.requests === 0 ? null : ((b - a) * 1000) / result.requests);
    result.cpuUsPerRequest = {
      server: perRequest(before.server, after.server),
      database: target === "api" ? perRequest(before.database, after.database) : null,
    };
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
    say(
      `  ${result.scenario}: ${result.requestsPerSecond.toFixed(0)} req/s, p50 ${result.latencyMs.p50} ms, p99 ${result.latencyMs.p99} ms${cpuText}${failed > 0 ? `, ${result.errors} errors / ${result.non2xx} non-2xx` : ""}`,
    );
    return result;
  };
  const has = (name: ScenarioName) => settings.scenarios.includes(name);

  if (has("me") || has("storm")) {
    const warmUp: Load = { connections: settings.meConnections, durationSeconds: Math.min(3, settings.durationSeconds) };
    say("warming up the three servers…");
    await driveMe("warm-up", "apollo", apolloUrl, warmUp, tokens);
    await driveMe("warm-up", "baseline", baselineUrl, warmUp, tokens);
    await driveMe("warm-up", "api", apiUrl, warmUp, tokens);
  }
  if (has("me")) {
    const targets = [
      { target: "apollo", scenario: ME_APOLLO, url: apolloUrl },
      { target: "baseline", scenario: ME_BASELINE, url: baselineUrl },
      { target: "api", scenario: ME_API, url: apiUrl },
    ] as const;
    for (let round = 1; round <= settings.rounds; round++) {
      // rotate the order so no server always runs on a machine warmed (or loaded) by another
      const order = targets.map((_, index) => targets[(index + round - 1) % targets.length]!);
      say(`round ${round}/${settings.rounds}: me on ${order.map((entry) => entry.target).join(", ")}`);
      for (const { target, scenario, url } of order) {
        const result = await withCpu(target, () => driveMe(scenario, target, url, meLoad, tokens));
        result.round = round;
        record(result);
      }
    }
  }
  if (has("introspect")) {
    const introspectUrl = `http://127.0.0.1:${apiPort}/oauth2/introspect`;
    record(await withCpu("api", () => driveIntrospect(INTROSPECT, introspectUrl, meLoad, tokens, { id: "bench", secret: introspectionSecret })));
  }
  if (has("login") || has("storm")) await sampleArgon2();
  if (has("login")) {
    record(await withCpu("api", () => driveLogin(LOGIN, apiUrl, mutationLoad, users)));
    await sampleArgon2();
  }
  if (has("renew"))
    record(
      await withCpu("api", () =>
        driveRenew(
          RENEW,
          apiUrl,
          mutationLoad,
          users.map((user) => user.refreshToken),
        ),
      ),
    );
  if (has("storm")) {
    say("me and a login storm at the same time");
    const [me, storm] = await Promise.all([driveMe(ME_STORM, "api", apiUrl, meLoad, tokens), driveLogin(LOGIN_STORM, apiUrl, mutationLoad, users)]);
    record(me);
    record(storm);
  }

  let sockets: SocketsResult | undefined;
  if (has("sockets")) {
    say(`live sessions: ${settings.sockets} idle authenticated sockets subscribed to sessionEnded`);
    sockets = await runSocketsScenario({ apiUrl, apiPid: api.process.pid!, users, sockets: settings.sockets, revocations: settings.revocations, meLoad, say });
  }

  // last: it leaves the tables a million rows bigger
  let scale: ScaleResult | undefined;
  if (settings.scale !== undefined) {
    say(`scale run (BENCH_SCALE=${settings.scale})`);
    scale = await runScaleScenario({ apiUrl, databaseUrl: database.url, rows: settings.scale, meLoad, tokens, record: (result) => void record(result), say });
  }

  const argon2 = {
    hashesPerSecond: argon2Samples.reduce((sum, sample) => sum + sample.hashesPerSecond, 0) / Math.max(argon2Samples.length, 1),
    msPerHash: argon2Samples.reduce((sum, sample) => sum + sample.msPerHash, 0) / Math.max(argon2Samples.length, 1),
    samples: argon2Samples.map((sample) => sample.hashesPerSecond),
  };
  const rows = summarise(runs);
  fillRatios(rows, runs, argon2.hashesPerSecond);
  const goals = [...goalChecks(rows, runs, argon2.hashesPerSecond), ...(scale ? scaleGoalChecks(rows, scale) : [])];
  const notes = cpuNotes(rows);
  if (scale)
    notes.push(
      `scale run: ${scale.rows} users and ${scale.rows} overdue sessions seeded with SQL (VACUUM ANALYZE included) in ${scale.seedSeconds.toFixed(1)} s; the sweep ran ${scale.sweep.seconds.toFixed(1)} s of the ${scale.sweep.windowSeconds.toFixed(1)} s \`me\` window`,
    );
  const report: Report & { sockets?: SocketsResult; scale?: ScaleResult } = {
    date: new Date().toISOString(),
    machine: {
      cores,
      cpu: os.cpus()[0]?.model ?? "unknown",
      node: process.versions.node,
      platform: `${os.platform()} ${os.release()}`,
      loadAverageBefore: loadBefore,
      loadAverageAfter: os.loadavg(),
    },
    settings: {
      BENCH_DURATION: settings.durationSeconds,
      BENCH_ROUNDS: settings.rounds,
      BENCH_USERS: settings.users,
      BENCH_CONNECTIONS: settings.meConnections,
      BENCH_MUTATION_CONNECTIONS: settings.mutationConnections,
      DATABASE_POOL_SIZE: config.database.poolSize,
      ARGON2_MAX_CONCURRENT: config.passwords.maxConcurrentHashes,
      database: database.description,
      ...(scale ? { BENCH_SCALE: scale.rows } : {}),
      servers: "compiled (npm run build; node dist/src/main.js)",
    },
    argon2: { ...argon2, concurrency: config.passwords.maxConcurrentHashes, params: argon2Params },
    rows,
    goals,
    notes,
    runs,
    sockets,
    scale,
  };
  say("");
  say(formatTable(rows));
  say("");
  for (const goal of goals) say(`${goal.met ? "PASS" : "MISS"}  ${goal.goal}: ${goal.measured}`);
  for (const note of notes) say(`NOTE  ${note}`);
  say(
    `\n${cores} cores shared by the API, PostgreSQL and the load generator; figures vary between runs (load average now ${os
      .loadavg()
      .map((n) => n.toFixed(2))
      .join(" ")}).`,
  );
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
