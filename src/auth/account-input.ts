import { badInput } from "./errors.js";

const MAX_EMAIL_LENGTH = 254;
const USERNAME_PATTERN = /^[a-z0-9](?:[a-z0-9._-]{1,30}[a-z0-9])?$/;
const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const MAX_PROFILE_BYTES = 16_384;
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

/** A profile of custom fields: a JSON object of bounded size. */
export function validateProfile(profile: unknown): Record<string, unknown> {
  if (profile === null || profile === undefined) return {};
  if (typeof profile !== "object" || Array.isArray(profile)) throw badInput("INVALID_INPUT", "profile", "Profile must be a JSON object");
  if (Buffer.byteLength(JSON.stringify(profile), "utf8") > MAX_PROFILE_BYTES) {
    throw badInput("INVALID_INPUT", "profile", `Profile must be at most ${MAX_PROFILE_BYTES} bytes of JSON`);
  }
  return profile as Record<string, unknown>;
}

/** Role names: upper-case identifiers, deduplicated. */
export function validateRoles(roles: readonly string[] | null | undefined): string[] {
  const unique = [...new Set(roles ?? [])];
  if (unique.length > MAX_ROLES || unique.some((role) => !ROLE_PATTERN.test(role))) {
    throw badInput("INVALID_INPUT", "roles", `Roles must be at most ${MAX_ROLES} upper-case names like ADMIN or SUPPORT_AGENT`);
  }
  return unique;
}
