import type { Config } from "../../config.js";
import { requireRoles, type GuardRule } from "./guard.js";

/**
 * The rules every guarded field applies, in order: the one place a deployment-wide rule is added, for
 * example REQUIRE_VERIFIED_EMAIL (FORBIDDEN `EMAIL_NOT_VERIFIED` outside a short list of operations):
 * `if (config.mail.requireVerifiedEmail) rules.push(requireVerifiedEmail)`.
 */
export function createGuardRules(config?: Config): GuardRule[] {
  void config; // no rule has a switch yet
  const rules: GuardRule[] = [requireRoles];
  return rules;
}
