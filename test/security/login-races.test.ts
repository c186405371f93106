/**
 * Logins racing with a password change or a disable (issue 19, High 1 and 2). Each race is made deterministic with
 * a barrier in the store: the attacker's login has read the account and checked the old password, and is held
 * just before it writes; the owner's (or the administrator's) change then runs to completion; then the login goes on.
 * @see issue 19
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createAuthDeps } from "../../src/auth-deps.js";
import { CLI_ACTOR } from "../../src/auth/actor.js";
import { createAuth } from "../../src/auth/auth.js";
import type { ClientInfo } from "../../src/auth/principal.js";
import { loadConfig } from "../../src/config.js";
import { silentLogger } from "../../src/logger.js";
import { createPostgresStore } from "../../src/storage/postgres/postgres-store.js";
import type { Store } from "../../src/auth/ports/store.js";
import { newCredentials } from "../support/api.js";
import { createTestDatabase, type TestDatabase } from "../support/postgres.js";

const client: ClientInfo = { ipAddress: "203.0.113.9", userAgent: "race" };
const SECRET = "race-test-secret-0123456789abcdefghijklmnop";

/** The store with one method held at a barrier: `arrived` resolves when a call reaches it, `release()` lets it go on. */
function holdAt(store: Store, method: keyof Store) {
  let arrive!: () => void;
  let release!: () => void;
  const arrived = new Promise<void>((resolve) => (arrive = resolve));
  const released = new Promise<void>((resolve) => (release = resolve));
  const held = new Proxy(store, {
    get(target, property) {
      const value = Reflect.get(target, property) as unknown;
      if (typeof value !== "function") return value;
      if (property !== method) return value.bind(target);
      return async (...args: unknown[]) => {
        arrive();
        await released;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store: held, arrived, release };
}

let database: TestDatabase;
let store: Store;

beforeAll(async () => {
  database = await createTestDatabase();
  store = createPostgresStore({ url: database.url, poolSize: 6 });
});
afterAll(async () => {
  await store.close();
  await database.drop();
});

function authOver(storeToUse: Store, env: Record<string, string> = {}) {
  const config = loadConfig({ SESSION_LIMIT: "0", ...env });
  return createAuth(createAuthDeps({ config, jwtSecret: SECRET, store: storeToUse, log: silentLogger }));
}

async function accountWithSession() {
  const auth = authOver(store);
  const credentials = newCredentials("race");
  await auth.createUser(CLI_ACTOR, { email: credentials.email, password: credentials.password }, client);
  const owner = await auth.login({ login: credentials.email, password: credentials.password }, client);
  return { auth, credentials, owner: { user: owner.user, session: owner.session } };
}

async function activeSessionIds(userId: string): Promise<string[]> {
  return (await store.listUserSessions(userId)).filter((session) => session.status === "ACTIVE").map((session) => session.id);
}

describe("a login that checked the old credentials stores no session after a password change or a disable", () => {
  test("password change while the login is between its password check and its write", async () => {
    const { auth, credentials, owner } = await accountWithSession();
    const gate = holdAt(store, "startSession");
    const attacker = authOver(gate.store).login({ login: credentials.email, password: credentials.password }, client);
    const outcome = attacker.then(
      () => "logged in",
      (error: unknown) => error,
    );
    await gate.arrived;

    await auth.changePassword(owner, { currentPassword: credentials.password, newPassword: `${credentials.password} changed` }, client);
    gate.release();

    expect(await outcome).toMatchObject({ code: "UNAUTHENTICATED", reason: "INVALID_CREDENTIALS" });
    expect(await activeSessionIds(owner.user.id)).toEqual([owner.session.id]);
  });

  test("disable while the login is between its password check and its write; enabling brings no session back", async () => {
    const { auth, credentials, owner } = await accountWithSession();
    const gate = holdAt(store, "startSession");
    const attacker = authOver(gate.store).login({ login: credentials.email, password: credentials.password }, client);
    const outcome = attacker.then(
      () => "logged in",
      (error: unknown) => error,
    );
    await gate.arrived;

    await auth.disableUser(CLI_ACTOR, owner.user.id, client);
    gate.release();

    expect(await outcome).toMatchObject({ code: "UNAUTHENTICATED", reason: "INVALID_CREDENTIALS" });
    await auth.enableUser(CLI_ACTOR, owner.user.id, client);
    expect(await activeSessionIds(owner.user.id)).toEqual([]);
  });
});

describe("a re-hash on login never undoes a password change", () => {
  test("the old password's re-hash, held until after the change, does not land", async () => {
    const { auth, credentials, owner } = await accountWithSession();
    // the attacker's instance runs with raised parameters, so its login re-hashes the (old) password
    const gate = holdAt(store, "upgradePasswordHash");
    const attacker = authOver(gate.store, { ARGON2_ITERATIONS: "3" }).login({ login: credentials.email, password: credentials.password }, client);
    const outcome = attacker.then(
      () => "logged in",
      (error: unknown) => error,
    );
    await gate.arrived;

    const newPassword = `${credentials.password} changed`;
    await auth.changePassword(owner, { currentPassword: credentials.password, newPassword }, client);
    gate.release();

    expect(await outcome).toMatchObject({ reason: "INVALID_CREDENTIALS" });
    await expect(auth.login({ login: credentials.email, password: credentials.password }, client)).rejects.toMatchObject({ reason: "INVALID_CREDENTIALS" });
    await expect(auth.login({ login: credentials.email, password: newPassword }, client)).resolves.toMatchObject({ user: { id: owner.user.id } });
  });
});
