/** Turns the benchmark's runs into one table, goal checks, and bench/results/latest.{json,md}. */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import type { ScenarioResult } from "./scenarios.js";

/** One line of the table: a scenario's rounds taken together. */
export interface Row {
  scenario: string;
  target: ScenarioResult["target"];
  rounds: number;
  connections: number;
  /** Medians over the rounds. */
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  badBodies: number;
  /** CPU µs per request in the server process and in PostgreSQL; null where not measured. */
  serverCpuUs: number | null;
  databaseCpuUs: number | null;
  /** Against the bare Apollo baseline and against the no-database baseline ("0.93× (0.90–0.96)"), or the argon2 rate; "—" where none applies. */
  ratio: string;
  ratioNoDb: string;
}

/** Whether a goal (issues 6 and 17) was met in this run. */
export interface GoalCheck {
  goal: string;
  measured: string;
  met: boolean;
}

/** Everything a run produced, as written to latest.json. */
export interface Report {
  date: string;
  machine: { cores: number; cpu: string; node: string; platform: string; loadAverageBefore: number[]; loadAverageAfter: number[] };
  settings: Record<string, string | number>;
  argon2: {
    hashesPerSecond: number;
    msPerHash: number;
    samples: number[];
    concurrency: number;
    params: { memoryKiB: number; iterations: number; parallelism: number };
  };
  rows: Row[];
  goals: GoalCheck[];
  /** Load-independent figures printed under the goals (CPU time per request). */
  notes: string[];
  runs: ScenarioResult[];
}

/** The middle value (the mean of the two middle ones for an even count); NaN for none. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
const medianOrNull = (values: Array<number | null>) => (values.some((value) => value === null) ? null : median(values as number[]));

/**
 * req/s of `scenario` over `baseline` in each round both ran in: the rounds run the servers back to back,
 * so each ratio compares figures taken under the same machine load.
 */
export function roundRatios(runs: readonly ScenarioResult[], scenario: string, baseline: string): number[] {
  const ratios: number[] = [];
  for (const run of runs) {
    if (run.scenario !== scenario || run.round === undefined) continue;
    const base = runs.find((other) => other.scenario === baseline && other.round === run.round);
    if (base && base.requestsPerSecond > 0) ratios.push(run.requestsPerSecond / base.requestsPerSecond);
  }
  return ratios;
}

/** "0.93× (rounds 0.90–0.96)": the median of the per-round ratios and their range. */
export function describeRatios(ratios: readonly number[]): string {
  if (ratios.length === 0) return "—";
  const range = ratios.length > 1 ? ` (rounds ${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)})` : "";
  return `${median(ratios).toFixed(2)}×${range}`;
}

/** Merges the rounds of each scenario: median req/s, median of the per-round percentiles, summed errors. */
export function summarise(runs: readonly ScenarioResult[]): Row[] {
  const byScenario = new Map<string, ScenarioResult[]>();
  for (const run of runs) byScenario.set(run.scenario, [...(byScenario.get(run.scenario) ?? []), run]);
  return [...byScenario.entries()].map(([scenario, rounds]) => {
    const first = rounds[0]!;
    return {
      scenario,
      target: first.target,
      rounds: rounds.length,
      connections: first.connections,
      requestsPerSecond: median(rounds.map((run) => run.requestsPerSecond)),
      p50Ms: median(rounds.map((run) => run.latencyMs.p50)),
      p99Ms: median(rounds.map((run) => run.latencyMs.p99)),
      errors: rounds.reduce((sum, run) => sum + run.errors, 0),
      timeouts: rounds.reduce((sum, run) => sum + run.timeouts, 0),
      non2xx: rounds.reduce((sum, run) => sum + run.non2xx, 0),
      badBodies: rounds.reduce((sum, run) => sum + run.badBodies, 0),
      serverCpuUs: medianOrNull(rounds.map((run) => run.cpuUsPerRequest?.server ?? null)),
      databaseCpuUs: medianOrNull(rounds.map((run) => run.cpuUsPerRequest?.database ?? null)),
      ratio: "—",
      ratioNoDb: "—",
    };
  });
}

const fixed = (value: number, digits = 0) => value.toFixed(digits);
const failures = (row: Row) => `${row.errors} / ${row.non2xx + row.badBodies}`;
const cpu = (row: Row) => (row.serverCpuUs === null ? "—" : `${fixed(row.serverCpuUs)}${row.databaseCpuUs === null ? "" : ` + ${fixed(row.databaseCpuUs)}`}`);

/** The table as aligned plain text for the terminal. */
export function formatTable(rows: readonly Row[]): string {
  const header = [
    "scenario",
    "target",
    "conns",
    "req/s",
    "p50 ms",
    "p99 ms",
    "errors / non-2xx",
    "CPU µs/req (app + db)",
    "vs bare Apollo",
    "vs no-db baseline",
  ];
  const lines = rows.map((row) => [
    row.scenario,
    row.target,
    String(row.connections),
    fixed(row.requestsPerSecond),
    fixed(row.p50Ms, 1),
    fixed(row.p99Ms, 1),
    failures(row),
    cpu(row),
    row.ratio,
    row.ratioNoDb,
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...lines.map((line) => line[column]!.length)));
  const render = (cells: string[]) =>
    cells.map((cell, column) => (column >= 2 && column <= 7 ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!))).join("  ");
  return [render(header), widths.map((width) => "-".repeat(width)).join("  "), ...lines.map(render)].join("\n");
}

function argon2Line({ argon2 }: Report): string {
  if (argon2.samples.length === 0) return "argon2id rate: not measured (no login scenario in this run).";
  return `argon2id (m=${argon2.params.memoryKiB} KiB, t=${argon2.params.iterations}, p=${argon2.params.parallelism}) on this machine: **${fixed(argon2.hashesPerSecond, 1)} hashes/s** with ${argon2.concurrency} at once (ARGON2_MAX_CONCURRENT), ${fixed(argon2.msPerHash, 1)} ms each; measured before and after the login scenario (${argon2.samples.map((rate) => fixed(rate, 1)).join(" and ")} hashes/s).`;
}

/** The whole report as Markdown (also the source of README's Performance figures). */
export function formatMarkdown(report: Report): string {
  const { machine } = report;
  const table = [
    "| scenario | target | connections | req/s | p50 ms | p99 ms | errors / non-2xx | CPU µs/req (app + db) | vs bare Apollo | vs no-db baseline |",
    "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |",
    ...report.rows.map(
      (row) =>
        `| ${row.scenario} | ${row.target} | ${row.connections} | ${fixed(row.requestsPerSecond)} | ${fixed(row.p50Ms, 1)} | ${fixed(row.p99Ms, 1)} | ${failures(row)} | ${cpu(row)} | ${row.ratio} | ${row.ratioNoDb} |`,
    ),
  ].join("\n");
  const goals = [...report.goals.map((goal) => `- ${goal.met ? "✅" : "❌"} ${goal.goal}: ${goal.measured}`), ...report.notes.map((note) => `- ${note}`)].join(
    "\n",
  );
  const rounds = [
    "| round | scenario | req/s | p50 ms | p99 ms | errors | non-2xx |",
    "| ---: | --- | ---: | ---: | ---: | ---: | ---: |",
    ...report.runs.map(
      (run) =>
        `| ${run.round ?? "—"} | ${run.scenario} | ${fixed(run.requestsPerSecond)} | ${fixed(run.latencyMs.p50, 1)} | ${fixed(run.latencyMs.p99, 1)} | ${run.errors} | ${run.non2xx} |`,
    ),
  ].join("\n");
  return `# Benchmark results

${report.date} · ${machine.cores} cores (${machine.cpu}) · Node ${machine.node} · load average before ${machine.loadAverageBefore.map((n) => n.toFixed(2)).join(" ")}, after ${machine.loadAverageAfter.map((n) => n.toFixed(2)).join(" ")}

Settings: ${Object.entries(report.settings)
    .map(([name, value]) => `${name}=${value}`)
    .join(", ")}

${argon2Line(report)}

${table}

${goals}

Figures vary between runs, and more so on a shared machine: the API, PostgreSQL and the load generator share the same ${machine.cores} cores. Compare the ratios, which come from the same run, rather than absolute req/s. The CPU column (CPU time the
server process, and the embedded PostgreSQL, spent per request) moves less with the machine's load than req/s.
The \`me\` rounds run the three servers back to back, in a rotating order; a ratio is the median of the
per-round ratios (each compares figures taken under the same load), with their range.

<details><summary>Every round</summary>

${rounds}

</details>
`;
}

/** Writes latest.json and latest.md into `directory`. */
export async function writeReport(directory: string, report: Report): Promise<{ json: string; markdown: string }> {
  await mkdir(directory, { recursive: true });
  const json = path.join(directory, "latest.json");
  const markdown = path.join(directory, "latest.md");
  await writeFile(json, `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(markdown, formatMarkdown(report));
  return { json, markdown };
}
