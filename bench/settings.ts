/** `npm run bench`'s settings: the BENCH_* variables and `--smoke`, read and checked once. */

/** The scenarios a run can choose with BENCH_SCENARIOS. */
export const SCENARIOS = ["me", "introspect", "login", "renew", "storm", "sockets"] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

/** What one run does. */
export interface Settings {
  durationSeconds: number;
  rounds: number;
  users: number;
  meConnections: number;
  mutationConnections: number;
  scenarios: ScenarioName[];
  databaseUrl: string | undefined;
  cpuProfile: boolean;
  /** BENCH_HEAP_PROF=1: sampled allocation profiles of the three servers, beside the CPU ones. */
  heapProfile: boolean;
  reuseBuild: boolean;
  /** Idle authenticated WebSockets of the live-sessions scenario, and how many of them a logout then closes. */
  sockets: number;
  revocations: number;
  /** Users and overdue sessions the scale run seeds (BENCH_SCALE, e.g. 1e6); undefined: no scale run. */
  scale: number | undefined;
}

/** The settings of a run, from its arguments and environment; throws naming the variable that is wrong. */
export function readSettings(argv: readonly string[], env: NodeJS.ProcessEnv): Settings {
  const smoke = argv.includes("--smoke");
  const int = (name: string, fallback: number, min = 1) => {
    const raw = env[name];
    if (raw === undefined || raw === "") return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min) throw new Error(`${name}: must be a whole number ≥ ${min} (got "${raw}")`);
    return value;
  };
  const only = (env.BENCH_SCENARIOS ?? "")
    .split(",")
    .map((name) => name.trim())
    .filter(Boolean);
  const unknown = only.filter((name) => !(SCENARIOS as readonly string[]).includes(name));
  if (unknown.length > 0) throw new Error(`BENCH_SCENARIOS: unknown ${unknown.join(", ")} (choose from ${SCENARIOS.join(", ")})`);
  const users = int("BENCH_USERS", smoke ? 50 : 200, 40);
  const mutationConnections = int("BENCH_MUTATION_CONNECTIONS", 16);
  // renewToken keeps one refresh-token chain per seeded user and needs two per connection
  if (users < mutationConnections * 2) throw new Error(`BENCH_USERS must be at least twice BENCH_MUTATION_CONNECTIONS (${mutationConnections * 2})`);
  return {
    durationSeconds: int("BENCH_DURATION", smoke ? 2 : 10),
    rounds: int("BENCH_ROUNDS", smoke ? 1 : 3),
    users,
    meConnections: int("BENCH_CONNECTIONS", 50),
    mutationConnections,
    scenarios: only.length > 0 ? (only as ScenarioName[]) : [...SCENARIOS],
    databaseUrl: env.BENCH_DATABASE_URL || env.DATABASE_URL || undefined,
    cpuProfile: env.BENCH_CPU_PROF === "1",
    heapProfile: env.BENCH_HEAP_PROF === "1",
    reuseBuild: env.BENCH_BUILD === "0",
    sockets: int("BENCH_SOCKETS", smoke ? 100 : 1_000),
    revocations: int("BENCH_REVOCATIONS", smoke ? 20 : 200),
    scale: readScale(env.BENCH_SCALE),
  };
}

/** BENCH_SCALE accepts 1e6 as well as 1000000. */
function readScale(raw: string | undefined): number | undefined {
  if (raw === undefined || raw === "") return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1_000 || value > 10_000_000)
    throw new Error(`BENCH_SCALE: a whole number from 1000 to 1e7, such as 1e6 (got "${raw}")`);
  return value;
}
