import type { AuthCheckerFn } from "type-graphql";
import { AuthError } from "../auth/errors.js";
import { hasRole } from "../auth/policies.js";
import type { GraphQLContext } from "./context.js";

/**
 * Guards `@Authorized(...)` fields. It throws our own UNAUTHENTICATED / FORBIDDEN itself, because
 * type-graphql's own failure says UNAUTHORIZED even to an anonymous caller.
 */
export const authChecker: AuthCheckerFn<GraphQLContext> = async ({ context }, roles) => {
  const principal = await context.principal();
  const missing = roles.find((role) => !hasRole(principal, role));
  if (missing) throw new AuthError("ROLE_REQUIRED", `This operation requires the ${missing} role`);
  return true;
};
