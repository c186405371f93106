/** The scenario names and the goals a run is checked against (issue 6: the session check; issue 17: the whole stack). */
import { describeRatios, median, roundRatios, type GoalCheck, type Row } from "./report.js";
import type { ScenarioResult } from "./scenarios.js";

export const ME_APOLLO = "me — bare Apollo 5 (JWT only)";
export const ME_BASELINE = "me — no-db baseline (this stack, JWT only)";
export const ME_API = "me — strict session check";
export const INTROSPECT = "introspection (RFC 7662) — strict session check";
export const LOGIN = "login (argon2id)";
export const RENEW = "renewToken (rotation)";
export const ME_STORM = "me — during a login storm";
export const LOGIN_STORM = "login — the storm";
export const ME_SCALE_SMALL = "me — scale: small tables";
export const ME_SCALE_BIG = "me — scale: + BENCH_SCALE users and sessions";
export const ME_SCALE_SWEEP = "me — scale: during the sweep";

/** Fills each row's ratio columns: `me` rows against both baselines, logins against the argon2id rate. */
export function fillRatios(rows: Row[], runs: readonly ScenarioResult[], argon2Rate: number): void {
  const apollo = rows.find((row) => row.scenario === ME_APOLLO);
  const noDb = rows.find((row) => row.scenario === ME_BASELINE);
  for (const row of rows) {
    if (row.scenario === ME_APOLLO) row.ratio = "1.00×";
    else if (row.scenario === ME_BASELINE) {
      row.ratio = describeRatios(roundRatios(runs, ME_BASELINE, ME_APOLLO));
      row.ratioNoDb = "1.00×";
    } else if (row.scenario === ME_API) {
      row.ratio = describeRatios(roundRatios(runs, ME_API, ME_APOLLO));
      row.ratioNoDb = describeRatios(roundRatios(runs, ME_API, ME_BASELINE));
    } else if (row.scenario === ME_STORM) {
      if (apollo) row.ratio = `${(row.requestsPerSecond / apollo.requestsPerSecond).toFixed(2)}×`;
      if (noDb) row.ratioNoDb = `${(row.requestsPerSecond / noDb.requestsPerSecond).toFixed(2)}×`;
    } else if ((row.scenario === LOGIN || row.scenario === LOGIN_STORM) && argon2Rate > 0) {
      row.ratio = `${(row.requestsPerSecond / argon2Rate).toFixed(2)}× argon2 rate`;
    }
  }
}

/** Checks this run against the goals of issues 6 and 17. */
export function goalChecks(rows: Row[], runs: readonly ScenarioResult[], argon2Rate: number): GoalCheck[] {
  const find = (scenario: string) => rows.find((row) => row.scenario === scenario);
  const apollo = find(ME_APOLLO);
  const noDb = find(ME_BASELINE);
  const me = find(ME_API);
  const login = find(LOGIN);
  const storm = find(ME_STORM);
  const failed = (row: Row) => row.errors + row.timeouts + row.non2xx + row.badBodies;
  const checks: GoalCheck[] = [];
  const versus = (baseline: Row, scenarioName: string, target: number, label: string) => {
    const ratios = roundRatios(runs, ME_API, scenarioName);
    const ratio = median(ratios);
    checks.push({
      goal: `\`me\` ≥ ${target.toFixed(2)}× the ${label}'s req/s (median of the rounds)`,
      measured: `${describeRatios(ratios)}; medians ${me!.requestsPerSecond.toFixed(0)} vs ${baseline.requestsPerSecond.toFixed(0)} req/s`,
      met: ratio >= target,
    });
  };
  if (apollo && me) {
    versus(apollo, ME_APOLLO, 0.95, "bare Apollo 5 baseline");
    checks.push({
      goal: "`me` p99 ≤ the bare Apollo baseline's p99",
      measured: `${me.p99Ms.toFixed(1)} vs ${apollo.p99Ms.toFixed(1)} ms (medians)`,
      met: me.p99Ms <= apollo.p99Ms,
    });
  }
  if (noDb && me) {
    versus(noDb, ME_BASELINE, 0.75, "no-db baseline");
    const p99 = me.p99Ms / Math.max(noDb.p99Ms, 0.001);
    checks.push({
      goal: "`me` p99 ≤ 3× the no-db baseline's p99",
      measured: `${p99.toFixed(2)}× (${me.p99Ms.toFixed(1)} vs ${noDb.p99Ms.toFixed(1)} ms)`,
      met: p99 <= 3,
    });
  }
  if (me) checks.push({ goal: "`me`: zero errors", measured: `${me.errors} errors, ${me.timeouts} timeouts, ${me.non2xx} non-2xx`, met: failed(me) === 0 });
  if (login) {
    const ratio = login.requestsPerSecond / argon2Rate;
    checks.push({
      goal: "`login` ≥ 0.9× the machine's argon2id rate",
      measured: `${ratio.toFixed(2)}× (${login.requestsPerSecond.toFixed(1)} logins/s vs ${argon2Rate.toFixed(1)} hashes/s)`,
      met: ratio >= 0.9,
    });
  }
  if (storm) {
    checks.push({
      goal: "`me` keeps answering during a login storm (no errors, no timeouts)",
      measured: `${failed(storm)} failed, p99 ${storm.p99Ms.toFixed(1)} ms`,
      met: failed(storm) === 0,
    });
  }
  return checks;
}

/** The scale run's goals (issue 16): `me` within 10% on the big tables, p99 at most 3× during the sweep. */
export function scaleGoalChecks(rows: Row[], scale: { rows: number; sweep: { seconds: number; expired: number | null; error: string | null } }): GoalCheck[] {
  const find = (scenario: string) => rows.find((row) => row.scenario === scenario);
  const small = find(ME_SCALE_SMALL);
  const big = find(ME_SCALE_BIG);
  const sweep = find(ME_SCALE_SWEEP);
  const checks: GoalCheck[] = [];
  if (small && big) {
    const ratio = big.requestsPerSecond / small.requestsPerSecond;
    checks.push({
      goal: `\`me\` with ${scale.rows} users and sessions more ≥ 0.90× its req/s before seeding`,
      measured: `${ratio.toFixed(2)}× (${big.requestsPerSecond.toFixed(0)} vs ${small.requestsPerSecond.toFixed(0)} req/s; p99 ${big.p99Ms.toFixed(1)} vs ${small.p99Ms.toFixed(1)} ms)`,
      met: ratio >= 0.9,
    });
  }
  if (big && sweep) {
    const ratio = sweep.p99Ms / Math.max(big.p99Ms, 0.001);
    const failed = sweep.errors + sweep.timeouts + sweep.non2xx + sweep.badBodies;
    checks.push({
      goal: "`me` p99 during the session sweep ≤ 3× without it",
      measured: `${ratio.toFixed(2)}× (${sweep.p99Ms.toFixed(1)} vs ${big.p99Ms.toFixed(1)} ms; ${sweep.requestsPerSecond.toFixed(0)} vs ${big.requestsPerSecond.toFixed(0)} req/s; ${failed} failed)`,
      met: ratio <= 3 && failed === 0,
    });
  }
  const { sweep: result } = scale;
  checks.push({
    goal: `the sweep expires all ${scale.rows} overdue sessions`,
    measured:
      result.error === null ? `${result.expired} expired in ${result.seconds.toFixed(1)} s` : `failed after ${result.seconds.toFixed(1)} s: ${result.error}`,
    met: result.error === null && result.expired === scale.rows,
  });
  return checks;
}

/**
 * CPU time per request, which moves much less with the machine's load than req/s: how many `me` requests
 * the API serves per CPU second compared with each baseline, with and without PostgreSQL's share.
 */
export function cpuNotes(rows: Row[]): string[] {
  const find = (scenario: string) => rows.find((row) => row.scenario === scenario);
  const me = find(ME_API);
  if (!me || me.serverCpuUs === null) return [];
  const total = me.serverCpuUs + (me.databaseCpuUs ?? 0);
  const notes: string[] = [];
  for (const [baseline, label] of [
    [find(ME_APOLLO), "bare Apollo"],
    [find(ME_BASELINE), "no-db baseline"],
  ] as const) {
    if (!baseline || baseline.serverCpuUs === null) continue;
    const cpu = baseline.serverCpuUs;
    notes.push(
      `CPU per request (medians): \`me\` ${me.serverCpuUs.toFixed(0)} µs in the API${me.databaseCpuUs === null ? "" : ` + ${me.databaseCpuUs.toFixed(0)} µs in PostgreSQL`}, ` +
        `${label} ${cpu.toFixed(0)} µs: the API serves ${(cpu / me.serverCpuUs).toFixed(2)}× the ${label}'s requests per CPU second of its own process` +
        (me.databaseCpuUs === null ? "" : `, ${(cpu / total).toFixed(2)}× counting PostgreSQL's`),
    );
  }
  return notes;
}
