/** Account enumeration: unknown account and wrong password answer alike, in code, message and time. @see issue 5 */
import { afterAll, beforeAll, expect, test } from "vitest";
import { LoginDocument } from "../generated/graphql.js";
import { startTestApi, type TestApi } from "../support/api.js";
import { signUpUser } from "./support.js";

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => {
  await api?.close();
});

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function timedLogin(login: string, password: string) {
  const started = performance.now();
  const res = await api.graphql(LoginDocument, { input: { login, password } });
  return { ms: performance.now() - started, res };
}

test("unknown account and wrong password give the same status, code and message", async () => {
  const { creds } = await signUpUser(api);
  const wrong = await timedLogin(creds.email, "definitely not the password");
  const unknown = await timedLogin(`nobody-${creds.email}`, "definitely not the password");
  expect(unknown.res.status).toBe(wrong.res.status);
  expect(unknown.res.errors).toEqual(wrong.res.errors);
});

test("unknown account and wrong password take similar time (medians of interleaved tries)", async () => {
  const { creds } = await signUpUser(api);
  const wrong: number[] = [];
  const unknown: number[] = [];
  await timedLogin("warm-up", "warm up the hasher first");
  for (let i = 0; i < 9; i++) {
    wrong.push((await timedLogin(creds.email, `wrong password attempt ${i}`)).ms);
    unknown.push((await timedLogin(`ghost${i}-${creds.email}`, `wrong password attempt ${i}`)).ms);
  }
  // a skipped hash would make the unknown case about ten times faster (a hash is ~25 ms, the rest ~2 ms); the
  // bound is generous so that a busy machine running other tests does not make this flaky
  const ratio = median(unknown) / median(wrong);
  const detail = `unknown ${median(unknown).toFixed(1)} ms vs wrong ${median(wrong).toFixed(1)} ms`;
  expect(ratio, detail).toBeGreaterThan(0.5);
  expect(ratio, detail).toBeLessThan(2);
});
