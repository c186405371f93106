import { expect, test } from "vitest";
import { AuthError } from "../../auth/errors.js";
import type { Principal } from "../../auth/principal.js";
import { enforceGuard, guardFor, requireRoles, type GuardCheck, type GuardRule } from "./guard.js";

const principal = { user: { id: "u1", roles: ["BILLING"] }, session: { id: "s1" } } as unknown as Principal;
const info = { fieldName: "myInvoices", parentType: { name: "Query" } } as Parameters<typeof enforceGuard>[2];

test("enforceGuard() authenticates once through the memoised principal, then applies every rule in order", async () => {
  const seen: GuardCheck[] = [];
  const record: GuardRule = (check) => void seen.push(check);
  let lookups = 0;
  const memo = Promise.resolve(principal);
  const context = { principal: () => (lookups++, memo), guardRules: [requireRoles, record] };
  await enforceGuard(context, guardFor(["BILLING"]), info);
  await enforceGuard(context, guardFor([]), info);
  expect(seen.map((check) => [check.fieldName, check.parentTypeName, check.guard.roleSets])).toEqual([
    ["myInvoices", "Query", [["BILLING"]]],
    ["myInvoices", "Query", []],
  ]);
  expect(lookups).toBe(2); // the context memoises; the engine adds no cache of its own
});

test("a rule added to the list refuses with its own reason (the hook REQUIRE_VERIFIED_EMAIL uses)", async () => {
  const verified: GuardRule = () => {
    throw new AuthError("EMAIL_NOT_VERIFIED", "Verify your email address first");
  };
  const refusal = enforceGuard({ principal: async () => principal, guardRules: [requireRoles, verified] }, guardFor([]), info);
  await expect(refusal).rejects.toMatchObject({ code: "FORBIDDEN", reason: "EMAIL_NOT_VERIFIED" });
});

test("requireRoles passes when the caller holds every role of any one set, else ROLE_REQUIRED naming a missing role", () => {
  const check = (roleSets: string[][]) => () => requireRoles({ principal, guard: { roleSets }, fieldName: "f", parentTypeName: "Query" });
  expect(check([])).not.toThrow();
  expect(check([["ADMIN"], ["BILLING"]])).not.toThrow();
  expect(check([["BILLING", "ADMIN"]])).toThrow("requires the ADMIN role");
});
