import { describe, expect, test } from "vitest";
import { ConfigError, loadConfig } from "./config.js";

const strongSecret = "k3Jx9vQ2mZ8pL4wR7tY1uI6oP0aS5dF2gH8jK3lZ";
const totpKey = Buffer.alloc(32, 7).toString("base64");

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

  test("refuses to start in production without TOTP_ENCRYPTION_KEY, and anywhere with one that is not 32 bytes of base64 @see issue 15", () => {
    expect(() => loadConfig({ NODE_ENV: "production", JWT_SECRET: strongSecret })).toThrow(/TOTP_ENCRYPTION_KEY: required/);
    expect(() => loadConfig({ TOTP_ENCRYPTION_KEY: Buffer.alloc(16).toString("base64") })).toThrow(/TOTP_ENCRYPTION_KEY: must be exactly 32 bytes/);
    expect(() => loadConfig({ TOTP_ENCRYPTION_KEY: "not base64!" })).toThrow(/TOTP_ENCRYPTION_KEY/);
    expect(loadConfig({ TOTP_ENCRYPTION_KEY: totpKey }).mfa.encryptionKey).toEqual(Buffer.alloc(32, 7));
    expect(loadConfig({}).mfa).toMatchObject({ totpIssuer: "graphql-auth-api", encryptionKey: undefined, tokenTtlSeconds: 300, accountFailures: 10 });
  });

  test("accepts a strong secret in production", () => {
    expect(loadConfig({ NODE_ENV: "production", JWT_SECRET: strongSecret, TOTP_ENCRYPTION_KEY: totpKey, MAIL_ENABLED: "false" }).jwt.secret).toBe(strongSecret);
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

  test("sweeps every 10 minutes and keeps audit events 90 days by default", () => {
    expect(loadConfig({}).maintenance).toEqual({ sweepIntervalSeconds: 600, auditRetentionSeconds: 90 * 86_400 });
  });

  test("reads SESSION_SWEEP_INTERVAL (0 turns the sweep off) and AUDIT_RETENTION", () => {
    expect(loadConfig({ SESSION_SWEEP_INTERVAL: "30s", AUDIT_RETENTION: "365d" }).maintenance).toEqual({
      sweepIntervalSeconds: 30,
      auditRetentionSeconds: 365 * 86_400,
    });
    expect(loadConfig({ SESSION_SWEEP_INTERVAL: "0" }).maintenance.sweepIntervalSeconds).toBe(0);
  });

  test("refuses an audit retention under an hour and a malformed sweep interval", () => {
    expect(() => loadConfig({ AUDIT_RETENTION: "10m" })).toThrow(/AUDIT_RETENTION/);
    expect(() => loadConfig({ SESSION_SWEEP_INTERVAL: "often" })).toThrow(/SESSION_SWEEP_INTERVAL/);
  });

  test("turns rate limits on and trusts no proxy by default; production hides introspection, suggestions and Sandbox", () => {
    const dev = loadConfig({});
    expect(dev.rateLimits).toMatchObject({ enabled: true, loginFailures: 5, accountFailures: 20, accountBlockSeconds: 60, failureWindowSeconds: 900 });
    expect(dev.http).toMatchObject({ trustProxyHops: 0, corsOrigins: [], corsAllowLoopback: true });
    expect(dev.http.corsAllowedHeaders).toEqual(expect.arrayContaining(["apollographql-client-name", "traceparent", "sentry-trace"]));
    // a classroom behind one NAT address signs up without hitting the limit (@see issue 9)
    expect(dev.rateLimits.signUpsPerHour).toBeGreaterThanOrEqual(100);
    expect(dev.graphql).toMatchObject({ introspection: true, sandbox: true, fieldSuggestions: true, maxCredentialFields: 1 });
    const prod = loadConfig({ NODE_ENV: "production", JWT_SECRET: strongSecret, TOTP_ENCRYPTION_KEY: totpKey, MAIL_ENABLED: "false" });
    expect(prod.graphql).toMatchObject({ introspection: false, sandbox: false, fieldSuggestions: false });
    expect(prod.http.corsAllowLoopback).toBe(false);
    expect(
      loadConfig({
        NODE_ENV: "production",
        JWT_SECRET: strongSecret,
        TOTP_ENCRYPTION_KEY: totpKey,
        MAIL_ENABLED: "false",
        INTROSPECTION: "true",
        SANDBOX: "yes",
      }).graphql,
    ).toMatchObject({ introspection: true, sandbox: true });
  });

  test("reads RATE_LIMIT_ENABLED, TRUST_PROXY and CORS_ORIGINS, refusing bad values", () => {
    expect(loadConfig({ RATE_LIMIT_ENABLED: "false" }).rateLimits.enabled).toBe(false);
    expect(loadConfig({ TRUST_PROXY: "2" }).http.trustProxyHops).toBe(2);
    expect(loadConfig({ CORS_ORIGINS: "https://a.example, http://localhost:3000" }).http.corsOrigins).toEqual(["https://a.example", "http://localhost:3000"]);
    expect(loadConfig({ CORS_ORIGINS: "*" }).http.corsOrigins).toEqual(["*"]);
    expect(() => loadConfig({ RATE_LIMIT_ENABLED: "maybe" })).toThrow(/RATE_LIMIT_ENABLED/);
    expect(() => loadConfig({ TRUST_PROXY: "true" })).toThrow(/TRUST_PROXY/);
    expect(() => loadConfig({ CORS_ORIGINS: "https://a.example/path" })).toThrow(/CORS_ORIGINS/);
    expect(loadConfig({ CORS_ALLOWED_HEADERS: "Authorization, X-Custom" }).http.corsAllowedHeaders).toEqual(["authorization", "x-custom"]);
    expect(() => loadConfig({ CORS_ALLOWED_HEADERS: "bad header" })).toThrow(/CORS_ALLOWED_HEADERS/);
    expect(() => loadConfig({ CORS_ORIGINS: "*, https://a.example" })).toThrow(/CORS_ORIGINS/);
  });

  test("picks the provider from the DATABASE_URL scheme", () => {
    expect(loadConfig({ DATABASE_URL: "postgresql://u@h/db" }).database.provider).toBe("postgresql");
    expect(loadConfig({ DATABASE_URL: "mongodb://h/db?replicaSet=rs0" }).database.provider).toBe("mongodb");
  });

  test("refuses a mongodb:// URL that names no database @see issue 18", () => {
    for (const url of ["mongodb://h:27017", "mongodb://h:27017/", "mongodb://h:27017/?replicaSet=rs0", "mongodb+srv://u:p@cluster.example.net"]) {
      expect(() => loadConfig({ DATABASE_URL: url })).toThrow(/DATABASE_URL: a mongodb:\/\/ URL must name the database/);
    }
  });
});

test("loadConfig() computes at most one password hash per CPU core by default", async () => {
  const { availableParallelism } = await import("node:os");
  expect(loadConfig({}).passwords.maxConcurrentHashes).toBe(availableParallelism());
  expect(loadConfig({ ARGON2_MAX_CONCURRENT: "3" }).passwords.maxConcurrentHashes).toBe(3);
});
