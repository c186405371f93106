import { AuthError } from "./errors.js";
import type { Principal } from "./principal.js";

/**
 * What an account with an unverified address may still do under REQUIRE_VERIFIED_EMAIL: read itself and get
 * verified, or leave (sign-up, login, renewToken and verifyEmail are public and never guarded).
 */
export const ALLOWED_UNVERIFIED: ReadonlySet<string> = new Set([
  "Query.me",
  "Mutation.sendVerificationEmail",
  "Mutation.verifyEmail",
  "Mutation.logout",
  "Mutation.renewToken",
]);

/**
 * The REQUIRE_VERIFIED_EMAIL rule for a guarded field (`Type.field`): FORBIDDEN EMAIL_NOT_VERIFIED for an
 * unverified account, except for the fields above. The guard engine applies it to every guarded field, the
 * API's own and integrators' alike (src/graphql/guards/guard-rules.ts).
 */
export function checkVerifiedEmail(principal: Principal, field: string): void {
  if (principal.user.emailVerifiedAt || ALLOWED_UNVERIFIED.has(field)) return;
  throw new AuthError("EMAIL_NOT_VERIFIED", "Verify your email address first: use the link we mailed you, or ask for a new one with sendVerificationEmail");
}
