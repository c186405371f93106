import type { Config } from "../../config.js";
import { checkVerifiedEmail } from "../../auth/verified-email-rule.js";
import { requireRoles, type GuardRule } from "./guard.js";

/**
 * The rules every guarded field applies, in order: the one place a deployment-wide rule is added, such as
 * REQUIRE_VERIFIED_EMAIL (FORBIDDEN `EMAIL_NOT_VERIFIED` outside a short list of operations).
 */
export function createGuardRules(config?: Config): GuardRule[] {
  const rules: GuardRule[] = [requireRoles];
  if (config?.mail.requireVerifiedEmail) rules.push(requireVerifiedEmail);
  return rules;
}

/** REQUIRE_VERIFIED_EMAIL: FORBIDDEN `EMAIL_NOT_VERIFIED` for an unverified account outside what verifying needs. */
export const requireVerifiedEmail: GuardRule = ({ principal, parentTypeName, fieldName }) => checkVerifiedEmail(principal, `${parentTypeName}.${fieldName}`);
