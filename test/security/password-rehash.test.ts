/** A hash weaker than the configured argon2id parameters is replaced at the next successful login. @see issue 5 */
import argon2 from "argon2";
import { afterAll, beforeAll, expect, test } from "vitest";
import { LoginDocument } from "../generated/graphql.js";
import { newCredentials, startTestApi, type TestApi } from "../support/api.js";

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => {
  await api?.close();
});

test("login re-hashes a weaker stored hash with the configured parameters, and the password still works", async () => {
  const creds = newCredentials("legacy");
  const weak = await argon2.hash(creds.password, { type: argon2.argon2id, memoryCost: 4_096, timeCost: 1, parallelism: 1 });
  const user = await api.store.createUser({ email: creds.email, username: creds.username, passwordHash: weak, roles: [], profile: {} });

  const first = await api.graphql(LoginDocument, { input: { login: creds.email, password: creds.password } });
  expect(first.status).toBe(200);
  const upgraded = (await api.store.findUserById(user.id))!.passwordHash;
  expect(upgraded).not.toBe(weak);
  // the configured (OWASP) parameters, in whichever order this argon2 version writes them
  const params = /^\$argon2id\$v=19\$([^$]+)\$/.exec(upgraded)?.[1]?.split(",").sort();
  expect(params).toEqual(["m=19456", "p=1", "t=2"]);

  const second = await api.graphql(LoginDocument, { input: { login: creds.email, password: creds.password } });
  expect(second.status).toBe(200);
  expect((await api.store.findUserById(user.id))!.passwordHash).toBe(upgraded); // strong enough now: left alone
});

test("a wrong password never re-hashes", async () => {
  const creds = newCredentials("legacy");
  const weak = await argon2.hash(creds.password, { type: argon2.argon2id, memoryCost: 4_096, timeCost: 1, parallelism: 1 });
  const user = await api.store.createUser({ email: creds.email, username: creds.username, passwordHash: weak, roles: [], profile: {} });
  const res = await api.graphql(LoginDocument, { input: { login: creds.email, password: "not the password, sorry" } });
  expect(res.status).toBe(401);
  expect((await api.store.findUserById(user.id))!.passwordHash).toBe(weak);
});
