import { testDeps } from "../../test/support/auth-deps.js";
import { describe, expect, test } from "vitest";
import { createAuth } from "./auth.js";
import { AuthError } from "./errors.js";
import type { ClientInfo } from "./principal.js";
import { addressKey, createAuthRateLimits, NO_RATE_LIMITS, type RateLimitSettings } from "./rate-limits.js";
import { StoreUnavailableError } from "./ports/store.js";
import { adaptFlexibleLimiter, createMemoryRateLimiters } from "../storage/flexible-rate-limiter.js";

const settings: RateLimitSettings = {
  enabled: true,
  addressAttemptsPerMinute: 60,
  globalAttemptsPerMinute: 100_000,
  addressFailuresPerDay: 100,
  loginFailures: 5,
  accountFailures: 20,
  accountBlockSeconds: 60,
  failureWindowSeconds: 900,
  signUpsPerHour: 10,
};
const client = (ipAddress: string): ClientInfo => ({ ipAddress, userAgent: null });

async function refusal(promise: Promise<unknown>): Promise<AuthError | null> {
  try {
    await promise;
    return null;
  } catch (error) {
    if (error instanceof AuthError) return error;
    throw error;
  }
}

describe("createAuthRateLimits()", () => {
  test("blocks an account from one address after the allowed consecutive failures, with a Retry-After", async () => {
    const limits = createAuthRateLimits(createMemoryRateLimiters(), settings);
    for (let i = 0; i < 5; i++) {
      expect(await refusal(limits.beforeLogin("user:1", client("192.0.2.1")))).toBeNull();
      await limits.loginFailed("user:1", client("192.0.2.1"));
    }
    const refused = await refusal(limits.beforeLogin("user:1", client("192.0.2.1")));
    expect(refused?.code).toBe("TOO_MANY_REQUESTS");
    expect(refused?.retryAfterSeconds).toBeGreaterThan(800);
    expect(await refusal(limits.beforeLogin("user:1", client("192.0.2.2")))).toBeNull(); // another address is unaffected
  });

  test("a success resets the run of consecutive failures", async () => {
    const limits = createAuthRateLimits(createMemoryRateLimiters(), settings);
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 4; i++) {
        expect(await refusal(limits.beforeLogin("user:1", client("192.0.2.1")))).toBeNull();
        await limits.loginFailed("user:1", client("192.0.2.1"));
      }
      expect(await refusal(limits.beforeLogin("user:1", client("192.0.2.1")))).toBeNull();
      await limits.loginSucceeded("user:1", client("192.0.2.1"));
    }
  });

  test("an account attacked from many addresses is blocked for new clients only", async () => {
    const limits = createAuthRateLimits(createMemoryRateLimiters(), settings);
    await limits.loginSucceeded("user:1", client("192.0.2.1")); // the owner's usual client
    for (let i = 0; i < 20; i++) await limits.loginFailed("user:1", client(`198.51.100.${i}`));
    expect((await refusal(limits.beforeLogin("user:1", client("203.0.113.9"))))?.retryAfterSeconds).toBeLessThanOrEqual(60);
    expect(await refusal(limits.beforeLogin("user:1", client("192.0.2.1")))).toBeNull();
  });

  test("counts every attempt per address, across accounts", async () => {
    const limits = createAuthRateLimits(createMemoryRateLimiters(), { ...settings, addressAttemptsPerMinute: 3 });
    for (let i = 0; i < 3; i++) expect(await refusal(limits.attempt(client("192.0.2.1")))).toBeNull();
    expect((await refusal(limits.attempt(client("192.0.2.1"))))?.code).toBe("TOO_MANY_REQUESTS");
  });

  test("counts every attempt from all addresses against one global budget: many /64s of one /48 cannot multiply it @see issue 19", async () => {
    const limits = createAuthRateLimits(createMemoryRateLimiters(), { ...settings, globalAttemptsPerMinute: 5 });
    for (let i = 0; i < 5; i++) expect(await refusal(limits.attempt(client(`2001:db8:0:${i}::1`)))).toBeNull();
    expect((await refusal(limits.attempt(client("2001:db8:0:99::1"))))?.code).toBe("TOO_MANY_REQUESTS");
  });

  test("turned off, it is NO_RATE_LIMITS", () => {
    expect(createAuthRateLimits(createMemoryRateLimiters(), { ...settings, enabled: false })).toBe(NO_RATE_LIMITS);
  });
});

describe("login() under the limits", () => {
  test("50 concurrent wrong logins from one address cost at most the address allowance in password checks", async () => {
    const { auth, counter } = depsCountingChecks({ ...settings, addressAttemptsPerMinute: 10 });
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, (_, i) => auth.login({ login: `someone${i}@example.com`, password: "a guess" }, client("192.0.2.1"))),
    );
    const codes = results.map((result) => (result.status === "rejected" ? (result.reason as AuthError).code : "OK"));
    expect(codes.filter((code) => code === "TOO_MANY_REQUESTS")).toHaveLength(40);
    expect(counter.checks).toBe(10);
    expect(counter.refused).toBe(40); // counted, not one audit row each (@see issue 10)
  });
});

function depsCountingChecks(limits: RateLimitSettings) {
  const counter = { checks: 0, refused: 0 };
  const deps = testDeps({
    overrides: {
      hasher: {
        hash: async () => "unused",
        verify: async () => (counter.checks++, false),
        verifyAgainstDummy: async () => (counter.checks++, false) as false,
        needsRehash: () => false,
      },
      rateLimits: createAuthRateLimits(createMemoryRateLimiters(), limits),
      refusals: { count: () => void counter.refused++, flush: async () => {}, stop: async () => {} },
    },
  });
  return { auth: createAuth(deps), counter };
}

describe("concurrent guesses", () => {
  test("20 concurrent guesses at one account from one address get no more password checks than the allowance", async () => {
    const { auth, counter } = depsCountingChecks(settings);
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, () => auth.login({ login: "victim@example.com", password: "a guess" }, client("192.0.2.1"))),
    );
    expect(results.filter((r) => r.status === "rejected" && (r.reason as AuthError).code === "TOO_MANY_REQUESTS")).toHaveLength(15);
    expect(counter.checks).toBe(5);
  });
});

describe("adaptFlexibleLimiter()", () => {
  test("fails closed: a store error is StoreUnavailableError, never an allowed attempt", async () => {
    const broken = adaptFlexibleLimiter({
      points: 5,
      consume: () => Promise.reject(new Error("connect ECONNREFUSED 127.0.0.1:5432")),
      get: () => Promise.reject(new Error("connect ECONNREFUSED 127.0.0.1:5432")),
      delete: () => Promise.reject(new Error("connect ECONNREFUSED 127.0.0.1:5432")),
    });
    await expect(broken.consume("k")).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(broken.peek("k")).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(broken.reset("k")).rejects.toBeInstanceOf(StoreUnavailableError);
  });

  test("fails closed when the store does not answer in time", async () => {
    const hanging = adaptFlexibleLimiter(
      { points: 5, consume: () => new Promise(() => {}), get: () => new Promise(() => {}), delete: () => new Promise(() => {}) },
      50,
    );
    await expect(hanging.consume("k")).rejects.toBeInstanceOf(StoreUnavailableError);
  });
});

describe("addressKey()", () => {
  test("keeps IPv4, unmaps IPv4-mapped IPv6, and groups IPv6 by /64", () => {
    expect(addressKey("192.0.2.1")).toBe("192.0.2.1");
    expect(addressKey("::ffff:192.0.2.1")).toBe("192.0.2.1");
    expect(addressKey("2001:db8:1:2:aaaa::1")).toBe("2001:db8:1:2::/64");
    expect(addressKey("2001:db8:1:2:bbbb:cccc:dddd:eeee")).toBe(addressKey("2001:0db8:0001:0002::9"));
    expect(addressKey("2001:db8::1")).toBe("2001:db8:0:0::/64");
    expect(addressKey(null)).toBe("unknown");
    expect(addressKey("::ffff:c000:0201")).toBe("192.0.2.1");
    expect(addressKey("fe80::1%eth0")).toBe("fe80:0:0:0::/64");
    expect(addressKey("2001:db8::1.2.3.4")).toBe("2001:db8:0:0::/64");
    // lenient spellings of IPv4 are not addresses: each gets a key of its own, never a real address's
    expect(addressKey("127.1")).toMatch(/^other:/);
  });
});
