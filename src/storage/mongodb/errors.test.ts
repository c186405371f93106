import { describe, expect, test } from "vitest";
import { StoreUnavailableError } from "../../auth/ports/store.js";
import { guard, isUnavailableError, isWriteConflict, uniqueViolationField } from "./errors.js";

/** The shape of Prisma's errors, without loading the generated client. */
function prismaError(name: string, fields: { code?: string; errorCode?: string; message?: string; meta?: Record<string, unknown> }): Error {
  return Object.assign(new Error(fields.message ?? "prisma error"), { name, ...fields });
}

describe("uniqueViolationField()", () => {
  test("names the field from the index Prisma reports as the P2002 target", () => {
    expect(uniqueViolationField(prismaError("PrismaClientKnownRequestError", { code: "P2002", meta: { target: "users_email_key" } }))).toBe("email");
    expect(uniqueViolationField(prismaError("PrismaClientKnownRequestError", { code: "P2002", meta: { target: "users_username_key" } }))).toBe("username");
    expect(uniqueViolationField(prismaError("PrismaClientKnownRequestError", { code: "P2002", meta: { target: ["username"] } }))).toBe("username");
  });

  test("falls back to MongoDB's E11000 message when Prisma could not parse the index", () => {
    const message = 'E11000 duplicate key error collection: auth.users index: users_username_key dup key: { username: "ada" }';
    expect(uniqueViolationField(prismaError("PrismaClientUnknownRequestError", { message }))).toBe("username");
  });

  test("returns null for other errors and other indexes", () => {
    expect(uniqueViolationField(prismaError("PrismaClientKnownRequestError", { code: "P2025" }))).toBeNull();
    expect(uniqueViolationField(prismaError("PrismaClientKnownRequestError", { code: "P2002", meta: { target: "_id_" } }))).toBeNull();
    expect(uniqueViolationField(null)).toBeNull();
    expect(uniqueViolationField("E11000")).toBeNull();
  });
});

describe("isUnavailableError()", () => {
  test("recognises unreachable servers, timeouts and pool exhaustion", () => {
    expect(isUnavailableError(prismaError("PrismaClientInitializationError", { errorCode: "P1001", message: "Can't reach database server" }))).toBe(true);
    expect(
      isUnavailableError(
        prismaError("PrismaClientKnownRequestError", { code: "P2024", message: "Timed out fetching a new connection from the connection pool." }),
      ),
    ).toBe(true);
    const selection = "Raw query failed. Code: `unknown`. Message: `Kind: Server selection timeout: No available servers. Topology: …`";
    expect(isUnavailableError(prismaError("PrismaClientKnownRequestError", { code: "P2010", message: selection }))).toBe(true);
    expect(isUnavailableError(prismaError("PrismaClientUnknownRequestError", { message: "Kind: I/O error: Connection refused (os error 111)" }))).toBe(true);
    expect(isUnavailableError(new Error("wrapped", { cause: Object.assign(new Error("connect"), { code: "ECONNREFUSED" }) }))).toBe(true);
  });

  test("does not take a missing query engine, a bug or a duplicate for an outage", () => {
    const engine = 'Prisma Client could not locate the Query Engine for runtime "debian-openssl-3.0.x".';
    expect(isUnavailableError(prismaError("PrismaClientInitializationError", { message: engine }))).toBe(false);
    expect(isUnavailableError(prismaError("PrismaClientKnownRequestError", { code: "P2002" }))).toBe(false);
    expect(isUnavailableError(new TypeError("x is undefined"))).toBe(false);
  });
});

describe("isWriteConflict()", () => {
  test("recognises P2034 and MongoDB's WriteConflict however it is wrapped", () => {
    expect(isWriteConflict(prismaError("PrismaClientKnownRequestError", { code: "P2034" }))).toBe(true);
    expect(
      isWriteConflict(prismaError("PrismaClientUnknownRequestError", { message: "Command failed (WriteConflict): Write conflict during plan execution" })),
    ).toBe(true);
    expect(isWriteConflict(new Error("outer", { cause: prismaError("PrismaClientKnownRequestError", { code: "P2034" }) }))).toBe(true);
    expect(isWriteConflict(prismaError("PrismaClientKnownRequestError", { code: "P2002" }))).toBe(false);
  });
});

describe("guard()", () => {
  test("turns a connection failure into StoreUnavailableError, keeping the cause", async () => {
    const cause = prismaError("PrismaClientInitializationError", { errorCode: "P1001" });
    const error = await guard(() => Promise.reject(cause)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect((error as Error).cause).toBe(cause);
  });

  test("passes results and other errors through unchanged", async () => {
    await expect(guard(() => Promise.resolve(42))).resolves.toBe(42);
    const other = new Error("bug");
    await expect(guard(() => Promise.reject(other))).rejects.toBe(other);
  });
});
