import { describe, expect, test } from "vitest";
import { ConfigError, loadConfig } from "./config.js";

const strongSecret = "k3Jx9vQ2mZ8pL4wR7tY1uI6oP0aS5dF2gH8jK3lZ";

describe("loadConfig()", () => {
  test("gives the documented defaults", () => {
    const config = loadConfig({});
    expect(config.port).toBe(4000);
    expect(config.database.provider).toBe("embedded-postgresql");
    expect(config.jwt.accessTtlSeconds).toBe(900);
    expect(config.sessions).toMatchObject({ limit: 1, strategy: "evict-oldest", refreshTtlSeconds: 30 * 86_400, reuseGraceSeconds: 10 });
    expect(config.passwords).toMatchObject({ minLength: 15, maxLength: 256, argon2: { memoryKiB: 19_456, iterations: 2, parallelism: 1 } });
  });

  test("refuses to start in production without JWT_SECRET", () => {
    expect(() => loadConfig({ NODE_ENV: "production" })).toThrow(/JWT_SECRET: required/);
  });

  test("refuses a JWT_SECRET shorter than 32 bytes, in any mode", () => {
    expect(() => loadConfig({ NODE_ENV: "production", JWT_SECRET: "short-secret" })).toThrow(/at least 32 bytes/);
    expect(() => loadConfig({ JWT_SECRET: "short-secret" })).toThrow(/at least 32 bytes/);
  });

  test("refuses a long but predictable JWT_SECRET", () => {
    expect(() => loadConfig({ NODE_ENV: "production", JWT_SECRET: "a".repeat(64) })).toThrow(/predictable/);
  });

  test("accepts a strong secret in production", () => {
    expect(loadConfig({ NODE_ENV: "production", JWT_SECRET: strongSecret }).jwt.secret).toBe(strongSecret);
  });

  test("reports every bad variable at once", () => {
    try {
      loadConfig({ PORT: "http", SESSION_LIMIT_STRATEGY: "random", ACCESS_TOKEN_TTL: "soon", PASSWORD_MIN_LENGTH: "6", DATABASE_URL: "mysql://x" });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const problems = (error as ConfigError).problems.join("\n");
      for (const name of ["PORT", "SESSION_LIMIT_STRATEGY", "ACCESS_TOKEN_TTL", "PASSWORD_MIN_LENGTH", "DATABASE_URL"]) expect(problems).toContain(name);
    }
  });

  test("reads durations with units", () => {
    const config = loadConfig({ ACCESS_TOKEN_TTL: "5m", REFRESH_TOKEN_TTL: "12h", REFRESH_REUSE_GRACE: "0" });
    expect(config.jwt.accessTtlSeconds).toBe(300);
    expect(config.sessions.refreshTtlSeconds).toBe(43_200);
    expect(config.sessions.reuseGraceSeconds).toBe(0);
  });

  test("picks the provider from the DATABASE_URL scheme", () => {
    expect(loadConfig({ DATABASE_URL: "postgresql://u@h/db" }).database.provider).toBe("postgresql");
    expect(loadConfig({ DATABASE_URL: "mongodb://h/db?replicaSet=rs0" }).database.provider).toBe("mongodb");
  });
});
