import { describe, expect, test } from "vitest";
import { isObjectId } from "./ids.js";
import { mongoDatabaseName, redactMongoUrl, withConnectionDefaults, withMongoDatabase } from "./url.js";

const compose = "mongodb://localhost:27017/auth?replicaSet=rs0&directConnection=true";

describe("isObjectId()", () => {
  test("accepts 24 hex digits in either case and nothing else", () => {
    expect(isObjectId("65a1f0c2e4b0a1b2c3d4e5f6")).toBe(true);
    expect(isObjectId("65A1F0C2E4B0A1B2C3D4E5F6")).toBe(true);
    for (const id of [
      "not-an-id",
      "",
      "65a1f0c2e4b0a1b2c3d4e5f",
      "65a1f0c2e4b0a1b2c3d4e5f67",
      "65a1f0c2e4b0a1b2c3d4e5fg",
      "0b6f4a6e-1d2c-4c1e-9f0a-2b3c4d5e6f70",
    ]) {
      expect(isObjectId(id)).toBe(false);
    }
  });
});

describe("MongoDB URLs", () => {
  test("mongoDatabaseName() reads the database from the path, or '' when there is none", () => {
    expect(mongoDatabaseName(compose)).toBe("auth");
    expect(mongoDatabaseName("mongodb://a:27017,b:27017/app")).toBe("app");
    expect(mongoDatabaseName("mongodb://localhost:27017")).toBe("");
    expect(mongoDatabaseName("mongodb://localhost:27017/?replicaSet=rs0")).toBe("");
  });

  test("withMongoDatabase() swaps the database and keeps hosts, credentials and options", () => {
    expect(withMongoDatabase(compose, "auth_test_1")).toBe("mongodb://localhost:27017/auth_test_1?replicaSet=rs0&directConnection=true");
    expect(withMongoDatabase("mongodb+srv://u:p%40ss@cluster.example.net", "x")).toBe("mongodb+srv://u:p%40ss@cluster.example.net/x");
    expect(withMongoDatabase("mongodb://a:1,b:2/old?w=majority", "new")).toBe("mongodb://a:1,b:2/new?w=majority");
  });

  test("withConnectionDefaults() adds the pool size and timeouts unless the URL sets them", () => {
    const url = withConnectionDefaults(compose, { maxPoolSize: 10, timeoutMs: 5000 });
    const query = new URLSearchParams(url.split("?")[1]);
    expect(url.startsWith("mongodb://localhost:27017/auth?")).toBe(true);
    expect(Object.fromEntries(query)).toEqual({
      replicaSet: "rs0",
      directConnection: "true",
      maxPoolSize: "10",
      serverSelectionTimeoutMS: "5000",
      connectTimeoutMS: "5000",
    });
    const own = withConnectionDefaults("mongodb://h/db?maxpoolsize=3&serverSelectionTimeoutMS=100", { maxPoolSize: 10, timeoutMs: 5000 });
    expect(Object.fromEntries(new URLSearchParams(own.split("?")[1]))).toEqual({ maxpoolsize: "3", serverSelectionTimeoutMS: "100", connectTimeoutMS: "5000" });
  });

  test("a string that is not a MongoDB URL is refused", () => {
    expect(() => withMongoDatabase("postgresql://localhost/db", "x")).toThrow(/mongodb/);
  });

  test("redactMongoUrl() hides the password only", () => {
    expect(redactMongoUrl("mongodb://auth:s3cret@localhost:27017/auth?replicaSet=rs0")).toBe("mongodb://auth:***@localhost:27017/auth?replicaSet=rs0");
    expect(redactMongoUrl("mongodb+srv://auth:s3cret@cluster.example.net/auth")).toBe("mongodb+srv://auth:***@cluster.example.net/auth");
    expect(redactMongoUrl(compose)).toBe(compose);
  });
});
