import type { GraphQLResolveInfo } from "graphql";
import { AuthError } from "../../auth/errors.js";
import { hasRole } from "../../auth/policies.js";
import type { Principal } from "../../auth/principal.js";

/**
 * What a guarded field asks of its caller. `roleSets` are alternatives: the caller passes when it holds
 * every role of at least one set; no sets at all means any authenticated caller.
 * `@authorized(roles: ["A", "B"])` and `@Authorized("A", "B")` are one set `[["A", "B"]]`;
 * Federation's `@requiresScopes(scopes: [["A"], ["B"]])` is two.
 */
export interface Guard {
  roleSets: ReadonlyArray<readonly string[]>;
}

/** One guarded field being resolved for a checked caller: what every guard rule looks at. */
export interface GuardCheck {
  principal: Principal;
  guard: Guard;
  /** The field's name and its parent type's (`Query`, `Mutation`, `Subscription`, or an object type). */
  fieldName: string;
  parentTypeName: string;
}

/**
 * A rule every guarded field applies after the caller is authenticated: it throws an AuthError
 * (FORBIDDEN and a reason) to refuse. Rules run in order; the first to throw decides.
 */
export type GuardRule = (check: GuardCheck) => void | Promise<void>;

/** A guard for any authenticated caller, or for callers holding all of `roles`. */
export function guardFor(roles: readonly string[]): Guard {
  return { roleSets: roles.length === 0 ? [] : [roles] };
}

/** ROLE_REQUIRED unless the caller holds every role of one of the guard's sets. */
export const requireRoles: GuardRule = ({ principal, guard }) => {
  if (guard.roleSets.length === 0) return;
  if (guard.roleSets.some((set) => set.every((role) => hasRole(principal, role)))) return;
  const missing = guard.roleSets[0]!.find((role) => !hasRole(principal, role)) ?? guard.roleSets[0]![0];
  throw new AuthError("ROLE_REQUIRED", `This operation requires the ${missing} role`);
};

/** What a context must offer to guarded fields: the memoised caller and the deployment's rules. */
export interface GuardContext {
  principal(): Promise<Principal>;
  guardRules: readonly GuardRule[];
}

/**
 * The one per-request check behind `@Authorized` and `@authorized` alike: authenticates the caller
 * (UNAUTHENTICATED with its reason) through the context's memoised principal, then applies every rule.
 */
export async function enforceGuard(context: GuardContext, guard: Guard, info: Pick<GraphQLResolveInfo, "fieldName" | "parentType">): Promise<Principal> {
  const principal = await context.principal();
  const rules = context.guardRules;
  if (rules.length === 0) return principal;
  const check: GuardCheck = { principal, guard, fieldName: info.fieldName, parentTypeName: info.parentType.name };
  for (const rule of rules) {
    const pending = rule(check);
    // the usual rules are synchronous: awaiting only a promise spares each guarded field a turn of the queue
    if (pending) await pending;
  }
  return principal;
}
