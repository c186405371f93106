/**
 * Brute force and floods against the rate limits, with their default settings (plus TRUST_PROXY=1 so each
 * test can speak from its own addresses). @see issue 5
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { ChangePasswordDocument, LoginDocument, RenewTokenDocument, SignUpDocument } from "../generated/graphql.js";
import { errorCode, newCredentials, startTestApi, type TestApi } from "../support/api.js";
import { attemptsUntilLimited, freshAddress, from, loginFrom, signUpUser } from "./support.js";

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi({ RATE_LIMIT_ENABLED: "true", TRUST_PROXY: "1", RATE_LIMIT_SIGNUPS_PER_HOUR: "10" });
});
afterAll(async () => {
  await api?.close();
});

describe("brute force on one account", () => {
  test("failures from one address answer TOO_MANY_REQUESTS (429, Retry-After) well within 30 attempts", async () => {
    const { creds } = await signUpUser(api);
    const attacker = freshAddress();
    const { attempts, last } = await attemptsUntilLimited(() => loginFrom(api, attacker, creds.email, "wrong password guess 123"), 30);
    expect(attempts).not.toBeNull();
    expect(attempts!).toBeLessThanOrEqual(10);
    expect(last.status).toBe(429);
    expect(Number(last.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(last.errors?.[0]?.extensions?.retryAfter).toBe(Number(last.headers.get("retry-after")));
    // the right password from the attacker's address is refused too: the pair is blocked, not the guess
    expect(errorCode(await loginFrom(api, attacker, creds.email, creds.password))).toBe("TOO_MANY_REQUESTS");
  });

  test("a stranger's failures do not lock the owner out of their usual client", async () => {
    const owner = freshAddress();
    const { creds } = await signUpUser(api, owner); // the owner's usual client
    const stranger = freshAddress();
    await attemptsUntilLimited(() => loginFrom(api, stranger, creds.username, "guessing the password now"), 30);
    const res = await loginFrom(api, owner, creds.username, creds.password);
    expect(res.status).toBe(200);
  });

  test("failures spread over many addresses block the account for new clients, briefly, but never its usual client", async () => {
    const owner = freshAddress();
    const { creds } = await signUpUser(api, owner);
    // 25 failures from 5 addresses (5 each, within each pair's allowance): over the account-wide limit of 20
    for (let a = 0; a < 5; a++) {
      const attacker = freshAddress();
      for (let i = 0; i < 5; i++) await loginFrom(api, attacker, creds.email, `distributed guess ${a}-${i}`);
    }
    const newDevice = await loginFrom(api, freshAddress(), creds.email, creds.password);
    expect(newDevice.status).toBe(429);
    expect(Number(newDevice.headers.get("retry-after"))).toBeLessThanOrEqual(60); // a short block: throttle, don't brick
    const usual = await loginFrom(api, owner, creds.email, creds.password);
    expect(usual.status).toBe(200);
  });

  test("an email and a username keep separate counts: a 429 on one does not reveal the other names the same account @see issue 19", async () => {
    const { creds } = await signUpUser(api);
    const attacker = freshAddress();
    const byEmail = await attemptsUntilLimited(() => loginFrom(api, attacker, creds.email, "wrong password guess 123"), 30);
    expect(byEmail.attempts).not.toBeNull();
    const byUsername = await loginFrom(api, attacker, creds.username, "wrong password guess 123");
    expect(byUsername.errors?.[0]?.extensions?.reason).toBe("INVALID_CREDENTIALS");
  });

  test("an unknown account is limited exactly like an existing one (no enumeration through the limits)", async () => {
    const { creds } = await signUpUser(api);
    const [first, second] = [freshAddress(), freshAddress()];
    const existing = await attemptsUntilLimited(() => loginFrom(api, first, creds.email, "not the password at all"), 30);
    const unknown = await attemptsUntilLimited(() => loginFrom(api, second, `nobody-${creds.email}`, "not the password at all"), 30);
    expect(existing.attempts).not.toBeNull();
    expect(unknown.attempts).toBe(existing.attempts);
    expect(unknown.last.errors?.[0]?.message).toBe(existing.last.errors?.[0]?.message);
  });

  test("changePassword with wrong current passwords is limited too (a stolen token is no password oracle)", async () => {
    const ip = freshAddress();
    const { payload } = await signUpUser(api, ip);
    const { attempts, last } = await attemptsUntilLimited(
      () =>
        api.graphql(
          ChangePasswordDocument,
          { currentPassword: "a wrong current password", newPassword: "a brand new passphrase 42" },
          { token: payload.accessToken, ...from(ip) },
        ),
      30,
    );
    expect(attempts).not.toBeNull();
    expect(attempts!).toBeLessThanOrEqual(10);
    expect(last.status).toBe(429);
  });
});

describe("changePassword per session @see issue 19", () => {
  test("a stolen token's wrong guesses block its own session, not the owner's other devices", async () => {
    const ip = freshAddress();
    const { creds, payload: thief } = await signUpUser(api, ip);
    const wrong = { currentPassword: "a wrong current password", newPassword: "a brand new passphrase 42" };
    const { attempts } = await attemptsUntilLimited(() => api.graphql(ChangePasswordDocument, wrong, { token: thief.accessToken, ...from(ip) }), 30);
    expect(attempts).not.toBeNull();
    // the owner, on another session (another device), still changes the password
    const ownerIp = freshAddress();
    const owner = (await api.graphql(LoginDocument, { input: { login: creds.email, password: creds.password } }, from(ownerIp))).data!.login;
    const changed = await api.graphql(
      ChangePasswordDocument,
      { currentPassword: creds.password, newPassword: "the owner's new passphrase 7" },
      { token: owner.accessToken, ...from(ownerIp) },
    );
    expect(changed.errors).toBeUndefined();
    expect(changed.data?.changePassword).toBe(true);
  });
});

describe("floods from one address", () => {
  test("login attempts over many accounts are cut off per address", async () => {
    const ip = freshAddress();
    let n = 0;
    const { attempts, last } = await attemptsUntilLimited(() => loginFrom(api, ip, `someone${n++}@example.com`, "password guess for all"), 120);
    expect(attempts).not.toBeNull();
    expect(attempts!).toBeLessThanOrEqual(61);
    expect(last.status).toBe(429);
    // and every other limited operation from that address with it
    expect(errorCode(await api.graphql(SignUpDocument, { input: newCredentials() }, from(ip)))).toBe("TOO_MANY_REQUESTS");
  });

  test("sign-ups are limited per address", async () => {
    const ip = freshAddress();
    const { attempts } = await attemptsUntilLimited(() => api.graphql(SignUpDocument, { input: newCredentials("flood") }, from(ip)), 30);
    expect(attempts).not.toBeNull();
    expect(attempts!).toBeLessThanOrEqual(11);
  });

  test("renewToken with made-up refresh tokens is limited per address", async () => {
    const ip = freshAddress();
    let n = 0;
    const { attempts } = await attemptsUntilLimited(() => api.graphql(RenewTokenDocument, { refreshToken: `made-up-${n++}.c2VjcmV0` }, from(ip)), 120);
    expect(attempts).not.toBeNull();
    expect(attempts!).toBeLessThanOrEqual(61);
  });

  test("X-Forwarded-For is ignored without TRUST_PROXY: rotating it does not dodge the limits", async () => {
    const direct = await startTestApi({ RATE_LIMIT_ENABLED: "true" });
    try {
      const { creds } = await signUpUser(direct);
      let n = 0;
      const { attempts } = await attemptsUntilLimited(
        () => direct.graphql(LoginDocument, { input: { login: creds.email, password: "rotating my address" } }, from(`192.0.2.${++n}`)),
        30,
      );
      expect(attempts).not.toBeNull();
      expect(attempts!).toBeLessThanOrEqual(10);
    } finally {
      await direct.close();
    }
  });
});

test("the limits hold across API instances on one database", async () => {
  const second = await startTestApi({ RATE_LIMIT_ENABLED: "true", TRUST_PROXY: "1" }, api.databaseUrl);
  try {
    const { creds } = await signUpUser(api);
    const ip = freshAddress();
    // alternate between the instances: each sees the failures the other counted
    const instances = [api, second];
    let i = 0;
    const { attempts, last } = await attemptsUntilLimited(() => loginFrom(instances[i++ % 2]!, ip, creds.email, "alternating guesses"), 30);
    expect(attempts).not.toBeNull();
    expect(attempts!).toBeLessThanOrEqual(10);
    expect(last.status).toBe(429);
  } finally {
    await second.close(); // given a database URL, it leaves the database alone
  }
});
