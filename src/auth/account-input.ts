import { badInput } from "./errors.js";

const MAX_EMAIL_LENGTH = 254;
const USERNAME_PATTERN = /^[a-z0-9](?:[a-z0-9._-]{1,30}[a-z0-9])?$/;
const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const MAX_PROFILE_BYTES = 16_384;
const MAX_PROFILE_DEPTH = 16;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const MAX_ROLES = 20;
const ROLE_PATTERN = /^[A-Z][A-Z0-9_]{0,39}$/;

/** Canonical form of an email address: trimmed and lower-cased; BAD_USER_INPUT when not plausible. */
export function normalizeEmail(email: string): string {
  const value = email.trim().toLowerCase();
  if (value.length > MAX_EMAIL_LENGTH || !EMAIL_PATTERN.test(value) || /[\u0000-\u001f]/.test(value)) {
    throw badInput("INVALID_EMAIL", "email", "Email address is not valid");
  }
  return value;
}

/** Canonical username (lower-cased), or null; BAD_USER_INPUT when it breaks the pattern. */
export function normalizeUsername(username: string | null | undefined): string | null {
  if (username === null || username === undefined) return null;
  const value = username.trim().toLowerCase();
  if (!USERNAME_PATTERN.test(value)) {
    throw badInput("INVALID_USERNAME", "username", "Username must be 1-32 letters, digits, '.', '_' or '-', starting and ending with a letter or digit");
  }
  return value;
}

/** The login field as stored: emails and usernames are both compared lower-cased. */
export function normalizeLogin(login: string): string {
  return login.trim().toLowerCase();
}

/**
 * A profile of custom fields: a JSON object of bounded size and depth whose strings are well-formed and free
 * of NUL. Walked with an explicit stack, never recursion, so no nesting can overflow the call stack, and before
 * any password is hashed, so a bad profile costs no hash.
 */
export function validateProfile(profile: unknown): Record<string, unknown> {
  if (profile === null || profile === undefined) return {};
  if (typeof profile !== "object" || Array.isArray(profile)) throw invalidProfile("Profile must be a JSON object");
  let bytes = 0;
  const stack: Array<{ value: unknown; depth: number }> = [{ value: profile, depth: 1 }];
  while (stack.length > 0) {
    const { value, depth } = stack.pop()!;
    if (typeof value === "string") {
      bytes += checkProfileString(value);
    } else if (typeof value === "number") {
      bytes += 24; // at most what JSON.stringify writes for a double
    } else if (value !== null && typeof value === "object") {
      if (depth > MAX_PROFILE_DEPTH) throw invalidProfile(`Profile must be nested at most ${MAX_PROFILE_DEPTH} levels deep`);
      const entries = Array.isArray(value) ? value.map((item) => ["", item] as const) : Object.entries(value);
      for (const [key, item] of entries) {
        bytes += checkProfileString(key) + 2;
        stack.push({ value: item, depth: depth + 1 });
      }
    } else if (typeof value !== "boolean" && value !== null) {
      throw invalidProfile("Profile must be plain JSON");
    }
    bytes += 5; // punctuation, true, false, null
    if (bytes > MAX_PROFILE_BYTES) throw invalidProfile(`Profile must be at most ${MAX_PROFILE_BYTES} bytes of JSON`);
  }
  return profile as Record<string, unknown>;
}

/** Its UTF-8 size; refuses a lone surrogate (not valid UTF-8, so not storable) and NUL (PostgreSQL refuses it). */
function checkProfileString(value: string): number {
  if (value.includes("\0") || LONE_SURROGATE.test(value)) throw invalidProfile("Profile strings must be valid Unicode without NUL characters");
  return Buffer.byteLength(value, "utf8");
}

function invalidProfile(message: string) {
  return badInput("INVALID_INPUT", "profile", message);
}

/** Role names: upper-case identifiers, deduplicated. */
export function validateRoles(roles: readonly string[] | null | undefined): string[] {
  const unique = [...new Set(roles ?? [])];
  if (unique.length > MAX_ROLES || unique.some((role) => !ROLE_PATTERN.test(role))) {
    throw badInput("INVALID_INPUT", "roles", `Roles must be at most ${MAX_ROLES} upper-case names like ADMIN or SUPPORT_AGENT`);
  }
  return unique;
}
