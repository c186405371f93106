// Over real HTTP: the integrator's guarded fields are 401 without a token and after logout, 403 without the role.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { startApp } from "../src/app.js";

const env: Record<string, string | undefined> = {
  ...process.env,
  JWT_SECRET: "example-secret-0123456789-abcdefghijklmnop",
  RATE_LIMIT_ENABLED: "false",
  LOG_LEVEL: "error",
};
let app: Awaited<ReturnType<typeof startApp>>;
before(async () => {
  assert.ok(env.DATABASE_URL, "set DATABASE_URL to an empty PostgreSQL database");
  app = await startApp({ port: 0, env });
});
after(async () => app?.stop());

async function post(query: string, token?: string) {
  const res = await fetch(app.url, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query }),
  });
  // biome-ignore lint/suspicious/noExplicitAny: the test reads whatever fields its query selected
  const body = (await res.json()) as { data?: any; errors?: Array<{ extensions?: Record<string, unknown> }> };
  return { status: res.status, data: body.data, extensions: body.errors?.[0]?.extensions };
}

async function signIn(roles: string[] = []) {
  const email = `${Math.random().toString(36).slice(2)}@example.com`;
  const password = "correct horse battery staple";
  await app.auth.auth.createUser({ system: "example" }, { email, password, roles }, { ipAddress: null, userAgent: null });
  const res = await post(`mutation { login(login: "${email}", password: "${password}") }`);
  return res.data.login as string;
}

test("myInvoices is 401 without a token", async () => {
  const res = await post("{ myInvoices { id } }");
  assert.equal(res.status, 401);
  assert.deepEqual([res.extensions?.code, res.extensions?.reason], ["UNAUTHENTICATED", "TOKEN_MISSING"]);
});

test("myInvoices answers a signed-in caller, and is 401 once that session logs out", async () => {
  const token = await signIn();
  const ok = await post("{ myInvoices { id amount } }", token);
  assert.equal(ok.status, 200);
  assert.equal(ok.data.myInvoices[0].amount, 100);
  assert.equal((await post("mutation { logout }", token)).data.logout, true);
  const res = await post("{ myInvoices { id } }", token);
  assert.equal(res.status, 401);
  assert.equal(res.extensions?.reason, "SESSION_ENDED");
});

test("invoiceTotal is 403 without the ADMIN role and answers with it", async () => {
  const res = await post("{ invoiceTotal }", await signIn());
  assert.equal(res.status, 403);
  assert.deepEqual([res.extensions?.code, res.extensions?.reason], ["FORBIDDEN", "ROLE_REQUIRED"]);
  const admin = await post("{ invoiceTotal }", await signIn(["ADMIN"]));
  assert.equal(admin.status, 200);
  assert.equal(typeof admin.data.invoiceTotal, "number");
});
