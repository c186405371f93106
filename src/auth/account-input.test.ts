import { describe, expect, test } from "vitest";
import { validateProfile } from "./account-input.js";
import { AuthError } from "./errors.js";

function refusal(profile: unknown): unknown {
  try {
    validateProfile(profile);
  } catch (error) {
    return error instanceof AuthError ? { reason: error.reason, field: error.details.field } : error;
  }
  return null;
}

/** @see issue 10 @see issue 19 */
describe("validateProfile()", () => {
  test("refuses a profile nested 100,000 levels deep without overflowing the stack", () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = { a: deep };
    expect(refusal(deep)).toEqual({ reason: "INVALID_INPUT", field: "profile" });
  });

  test("refuses lone surrogates and NUL in keys and values, at any depth", () => {
    for (const profile of [{ a: "\ud800" }, { "\udc00": 1 }, { a: [{ b: ["x\u0000"] }] }, { "k\u0000": true }]) {
      expect(refusal(profile)).toEqual({ reason: "INVALID_INPUT", field: "profile" });
    }
  });

  test("accepts plain JSON with paired surrogates (emoji), arrays and nesting up to the limit", () => {
    let deep: unknown = "leaf";
    for (let i = 0; i < 15; i++) deep = { a: deep };
    expect(refusal({ name: "🚀", list: [1, true, null, { x: "y" }], deep })).toBeNull();
  });
});
