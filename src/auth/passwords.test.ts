import argon2 from "argon2";
import { describe, expect, test, vi } from "vitest";
import { AuthError } from "./errors.js";
import { OWASP_ARGON2_MINIMUM, checkPasswordPolicy, createPasswordHasher } from "./passwords.js";
import type { PasswordPolicy } from "./passwords.js";

const policy: PasswordPolicy = { minLength: 15, maxLength: 20 };

function policyMessage(password: string, context?: Parameters<typeof checkPasswordPolicy>[2], limits: PasswordPolicy = policy): string | undefined {
  try {
    checkPasswordPolicy(password, limits, context);
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(AuthError);
    expect((error as AuthError).code).toBe("BAD_USER_INPUT");
    return (error as AuthError).message;
  }
}

describe("checkPasswordPolicy()", () => {
  test("checkPasswordPolicy() accepts a password within the bounds", () => {
    expect(policyMessage("violet-harbor-91")).toBeUndefined();
    expect(policyMessage("tangerine-orbit-7q2k")).toBeUndefined(); // exactly 20
  });

  test("checkPasswordPolicy() refuses one code point too few or too many", () => {
    expect(policyMessage("violet-harbor9")).toBe("Password must be at least 15 characters");
    expect(policyMessage("tangerine-orbit-7q2kx")).toBe("Password must be at most 20 characters");
  });

  test("checkPasswordPolicy() counts an emoji as one character, not two UTF-16 units", () => {
    const fruit = [..."🍎🍌🍇🍓🍒🍑🍍🥝🥥🥑🍆🥔🥕🌽🌶🥒🥦🧄🧅🍄🥜"];
    expect(policyMessage(fruit.slice(0, 15).join(""))).toBeUndefined();
    expect(policyMessage(fruit.slice(0, 14).join(""))).toBe("Password must be at least 15 characters");
    expect(policyMessage(fruit.slice(0, 20).join(""))).toBeUndefined();
    expect(policyMessage(fruit.slice(0, 21).join(""))).toBe("Password must be at most 20 characters");
  });

  test("checkPasswordPolicy() counts a decomposed accent as one character after NFKC", () => {
    const decomposed = "cafe\u0301";
    expect(decomposed).toHaveLength(5);
    expect(policyMessage(`${decomposed}-terrace-92`)).toBeUndefined(); // 15 after NFKC
    expect(policyMessage(`${decomposed}-terrace-9`)).toBe("Password must be at least 15 characters"); // 15 units, 14 points
    expect(policyMessage(`café-terrace-9`)).toBe("Password must be at least 15 characters");
  });

  test("checkPasswordPolicy() counts a compatibility ligature as the letters NFKC expands it to", () => {
    expect(policyMessage("\uFB01ve-lanterns-77")).toBeUndefined(); // "ﬁ" → "fi": 14 units, 15 points
  });

  test("checkPasswordPolicy() rejects a huge password before normalising it", () => {
    const normalize = vi.spyOn(String.prototype, "normalize");
    try {
      const started = performance.now();
      expect(policyMessage("x".repeat(10_000_000))).toBe("Password must be at most 20 characters");
      expect(normalize).not.toHaveBeenCalled();
      expect(performance.now() - started).toBeLessThan(100);
    } finally {
      normalize.mockRestore();
    }
  });

  test("checkPasswordPolicy() rejects a password that is not a string", () => {
    expect(policyMessage(1234567890123 as unknown as string)).toBe("Password must be a string");
    expect(policyMessage(undefined as unknown as string)).toBe("Password must be a string");
  });

  test.each(["password1234567", "PassWord1234567", "ｐａｓｓｗｏｒｄ１２３４５６７", "qwertyuiopasdfgh", "123456789012345", "iloveyouiloveyou"])(
    "checkPasswordPolicy() refuses the common password %s",
    (password) => {
      expect(policyMessage(password)).toBe("Password is too common; choose a less guessable one");
    },
  );

  test("checkPasswordPolicy() refuses common passwords shorter than 15 when the minimum allows them", () => {
    expect(() => checkPasswordPolicy("sunshine", { minLength: 8, maxLength: 64 })).toThrow(/too common/);
    expect(() => checkPasswordPolicy("Password123!", { minLength: 8, maxLength: 64 })).toThrow(/too common/);
  });

  test.each(["aaaaaaaaaaaaaaa", "aAaAaAaAaAaAaAaA", "🔒🔒🔒🔒🔒🔒🔒🔒🔒🔒🔒🔒🔒🔒🔒"])(
    "checkPasswordPolicy() refuses the single repeated character %s",
    (password) => {
      expect(policyMessage(password)).toBe("Password must not be a single repeated character");
    },
  );

  test("checkPasswordPolicy() refuses the user's own email, its local part, or username", () => {
    const context = { email: "Grace.Hopper.1906@example.com", username: "amazing-grace-1906" };
    const refused = "Password must not be your email address or username";
    const roomy = { minLength: 15, maxLength: 64 };
    expect(policyMessage("grace.hopper.1906@example.com", context, roomy)).toBe(refused);
    expect(policyMessage("GRACE.HOPPER.1906", context)).toBe(refused);
    expect(policyMessage("Amazing-Grace-1906", context)).toBe(refused);
    expect(policyMessage("amazing-grace-1907", context)).toBeUndefined();
    expect(policyMessage("amazing-grace-1906", { email: context.email, username: null })).toBeUndefined();
  });
});

// Small costs keep the suite fast; production uses at least OWASP_ARGON2_MINIMUM.
const fast = { memoryKiB: 1024, iterations: 1, parallelism: 1, maxConcurrent: 2 };

describe("createPasswordHasher()", () => {
  test("OWASP_ARGON2_MINIMUM is 19 MiB, 2 iterations, 1 lane", () => {
    expect(OWASP_ARGON2_MINIMUM).toEqual({ memoryKiB: 19456, iterations: 2, parallelism: 1 });
  });

  test("hash() produces an argon2id hash with the configured parameters that verify() accepts", async () => {
    const hasher = createPasswordHasher(fast);
    const hash = await hasher.hash("violet-harbor-91");
    expect(argon2idParams(hash)).toEqual(["m=1024", "p=1", "t=1"]);
    expect(await hasher.verify(hash, "violet-harbor-91")).toBe(true);
    expect(await hasher.verify(hash, "violet-harbor-92")).toBe(false);
  });

  test("verify() treats composed and decomposed forms as the same password", async () => {
    const hasher = createPasswordHasher(fast);
    const hash = await hasher.hash("cafe\u0301-terrace-92");
    expect(await hasher.verify(hash, "café-terrace-92")).toBe(true);
  });

  test.each([
    ["empty", ""],
    ["garbage", "not a hash"],
    ["bcrypt", "$2b$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"],
    ["truncated argon2id", "$argon2id$v=19$m=1024,t=1,p=1$c29tZXNhbHQ"],
    ["bad base64", "$argon2id$v=19$m=1024,t=1,p=1$c29tZXNhbHQ!!!$aGFzaGhhc2hoYXNo"],
    ["zero memory", "$argon2id$v=19$m=0,t=1,p=1$c29tZXNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA"],
  ])("verify() returns false for a malformed stored hash (%s)", async (_name, hash) => {
    expect(await createPasswordHasher(fast).verify(hash, "violet-harbor-91")).toBe(false);
  });

  test("verify() returns false for an argon2i hash: argon2id only", async () => {
    const hash = await argon2.hash("violet-harbor-91", { type: argon2.argon2i, memoryCost: 1024, timeCost: 1 });
    expect(await createPasswordHasher(fast).verify(hash, "violet-harbor-91")).toBe(false);
  });

  test("verify() returns false for an oversized password without hashing it", async () => {
    const hasher = createPasswordHasher(fast);
    const hash = await hasher.hash("violet-harbor-91");
    expect(await hasher.verify(hash, "x".repeat(1_000_000))).toBe(false);
  });

  test("verifyAgainstDummy() returns false, also on repeated calls", async () => {
    const hasher = createPasswordHasher(fast);
    expect(await hasher.verifyAgainstDummy("violet-harbor-91")).toBe(false);
    expect(await hasher.verifyAgainstDummy("")).toBe(false);
  });

  // a structural check rather than a stopwatch: same algorithm and cost means the same time, without flakiness
  test("verifyAgainstDummy() runs a full argon2id verify with the configured cost", async () => {
    const hasher = createPasswordHasher({ memoryKiB: 2048, iterations: 2, parallelism: 1, maxConcurrent: 1 });
    const verify = vi.spyOn(argon2, "verify");
    try {
      await hasher.verifyAgainstDummy("wrong-password-1");
      await hasher.verifyAgainstDummy("wrong-password-2");
      expect(verify).toHaveBeenCalledTimes(2);
      const [digest, password] = verify.mock.calls[0] ?? [];
      expect(argon2idParams(digest ?? "")).toEqual(["m=2048", "p=1", "t=2"]);
      expect(password).toBe("wrong-password-1");
      expect(verify.mock.calls[1]?.[0]).toBe(digest); // the dummy hash is made once
      expect(hasher.needsRehash(digest as string)).toBe(false);
    } finally {
      verify.mockRestore();
    }
  });

  test("needsRehash() is true for weaker parameters and false for equal or stronger ones", async () => {
    const weak = createPasswordHasher(fast);
    const strong = createPasswordHasher({ memoryKiB: 2048, iterations: 2, parallelism: 1, maxConcurrent: 2 });
    const weakHash = await weak.hash("violet-harbor-91");
    const strongHash = await strong.hash("violet-harbor-91");
    expect(strong.needsRehash(weakHash)).toBe(true);
    expect(strong.needsRehash(strongHash)).toBe(false);
    expect(weak.needsRehash(weakHash)).toBe(false);
    expect(weak.needsRehash(strongHash)).toBe(false);
    expect(weak.needsRehash("$2b$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy")).toBe(true);
  });

  test("hash() runs no more than maxConcurrent hashes at once", async () => {
    const hasher = createPasswordHasher({ ...fast, maxConcurrent: 1 });
    let running = 0;
    let peak = 0;
    const original = argon2.hash;
    const spy = vi.spyOn(argon2, "hash").mockImplementation(async (...args: Parameters<typeof argon2.hash>) => {
      running++;
      peak = Math.max(peak, running);
      try {
        return await original(...args);
      } finally {
        running--;
      }
    });
    try {
      await Promise.all(Array.from({ length: 4 }, (_, index) => hasher.hash(`violet-harbor-${index}`)));
      expect(spy).toHaveBeenCalledTimes(4);
      expect(peak).toBe(1);
    } finally {
      spy.mockRestore();
    }
  });
});

describe("createPasswordHasher() timing of old-parameter hashes @see issue 19", () => {
  test("verify() of a much weaker stored hash is padded to the time a current one takes; a current one is not", async () => {
    const weak = createPasswordHasher({ memoryKiB: 1024, iterations: 1, parallelism: 1, maxConcurrent: 1 });
    const sleep = vi.fn(async (_ms: number) => {});
    const strong = createPasswordHasher({ memoryKiB: 16384, iterations: 3, parallelism: 1, maxConcurrent: 1, sleep });
    const current = await strong.hash("violet-harbor-91");
    const old = await weak.hash("violet-harbor-91");
    await strong.verify(current, "wrong guess"); // measures the current cost
    expect(sleep).not.toHaveBeenCalled();
    expect(await strong.verify(old, "violet-harbor-91")).toBe(true);
    expect(sleep).toHaveBeenCalledTimes(1);
    expect(sleep.mock.calls[0]![0]).toBeGreaterThan(0);
  });
});

describe("createPasswordHasher() under load @see issue 19", () => {
  test("a hash beyond maxQueued waiting ones is refused at once with SERVER_BUSY (503, Retry-After), not counted as a wrong password", async () => {
    const hasher = createPasswordHasher({ ...fast, maxConcurrent: 1, maxQueued: 1 });
    const stored = await hasher.hash("violet-harbor-91");
    const running = hasher.verify(stored, "violet-harbor-91");
    const queued = hasher.verify(stored, "violet-harbor-91");
    const refused = await hasher.verify(stored, "violet-harbor-91").catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(AuthError);
    expect(refused).toMatchObject({ code: "SERVICE_UNAVAILABLE", reason: "SERVER_BUSY", retryAfterSeconds: 1 });
    await expect(hasher.verifyAgainstDummy("violet-harbor-91")).rejects.toMatchObject({ reason: "SERVER_BUSY" });
    expect(await running).toBe(true);
    expect(await queued).toBe(true);
  });

  test("a queued hash whose client has gone never runs", async () => {
    const hasher = createPasswordHasher({ ...fast, maxConcurrent: 1, maxQueued: 10 });
    const stored = await hasher.hash("violet-harbor-91");
    const spy = vi.spyOn(argon2, "verify");
    try {
      const running = hasher.verify(stored, "violet-harbor-91");
      const gone = new AbortController();
      const abandoned = hasher.verify(stored, "violet-harbor-91", gone.signal);
      gone.abort();
      await expect(abandoned).rejects.toMatchObject({ reason: "SERVER_BUSY" });
      expect(await running).toBe(true);
      expect(spy).toHaveBeenCalledTimes(1);
    } finally {
      spy.mockRestore();
    }
  });
});

/** The cost parameters of an argon2id PHC string, sorted: argon2 versions write them in different orders. */
function argon2idParams(hash: string): string[] {
  const match = /^\$argon2id\$v=19\$([^$]+)\$/.exec(hash);
  return (match?.[1] ?? "").split(",").sort();
}
