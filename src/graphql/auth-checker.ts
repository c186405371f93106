import type { AuthCheckerFn } from "type-graphql";
import { enforceGuard, guardFor, type GuardContext } from "./guards/guard.js";

/**
 * Guards `@Authorized(...)` fields with the same check as the `@authorized` directive. It throws our own
 * UNAUTHENTICATED / FORBIDDEN itself, because type-graphql's own failure says UNAUTHORIZED even to an
 * anonymous caller.
 */
export const authChecker: AuthCheckerFn<GuardContext> = async ({ context, info }, roles) => {
  await enforceGuard(context, guardFor(roles as string[]), info);
  return true;
};
