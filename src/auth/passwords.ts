import { readFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import argon2 from "argon2";
import { AuthError, type ErrorReason, badInput } from "./errors.js";
import { createConcurrencyLimit, QueueFullError, TaskAbandonedError } from "./concurrency-limit.js";

/** Length limits, counted in Unicode code points after NFKC normalisation. */
export interface PasswordPolicy {
  minLength: number;
  maxLength: number;
}

/** What the policy compares a password against so a user cannot reuse their own identifiers. */
export interface PasswordContext {
  email?: string;
  username?: string | null;
}

/** Argon2id cost parameters (memory in KiB). */
export interface Argon2Params {
  memoryKiB: number;
  iterations: number;
  parallelism: number;
}

/** OWASP's minimum recommendation for argon2id: 19 MiB, 2 iterations, 1 lane. */
export const OWASP_ARGON2_MINIMUM: Argon2Params = { memoryKiB: 19456, iterations: 2, parallelism: 1 };

/** Hashes and verifies passwords with argon2id, bounded in how many run at once. */
export interface PasswordHasher {
  /** Each method waits its turn (bounded queue); it throws SERVER_BUSY when the queue is full or `signal` aborted. */
  hash(password: string, signal?: AbortSignal): Promise<string>;
  verify(hash: string, password: string, signal?: AbortSignal): Promise<boolean>;
  verifyAgainstDummy(password: string, signal?: AbortSignal): Promise<false>;
  needsRehash(hash: string): boolean;
}

let commonPasswords: Set<string> | undefined;

function loadCommonPasswords(): Set<string> {
  if (!commonPasswords) {
    const text = readFileSync(new URL("./common-passwords.txt", import.meta.url), "utf8");
    const entries = text.split("\n").map((line) => line.trim().normalize("NFKC").toLowerCase());
    commonPasswords = new Set(entries.filter((entry) => entry.length > 0));
  }
  return commonPasswords;
}

function countCodePoints(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

/** Throws BAD_USER_INPUT unless the password meets the policy (length, not common, not an own identifier). */
export function checkPasswordPolicy(password: string, policy: PasswordPolicy, context?: PasswordContext, field = "password"): void {
  const policyError = (message: string, reason: ErrorReason = "PASSWORD_TOO_COMMON"): AuthError => badInput(reason, field, message);
  if (typeof password !== "string") throw policyError("Password must be a string", "INVALID_INPUT");
  const tooLong = `Password must be at most ${policy.maxLength} characters`;
  // NFKC composes at most ~4 UTF-16 units into one character, so this input cannot fit: skip normalising it
  if (password.length > policy.maxLength * 4) throw policyError(tooLong, "PASSWORD_TOO_LONG");

  const normalized = password.normalize("NFKC");
  const length = countCodePoints(normalized);
  if (length > policy.maxLength) throw policyError(tooLong, "PASSWORD_TOO_LONG");
  if (length < policy.minLength) {
    throw policyError(`Password must be at least ${policy.minLength} characters`, "PASSWORD_TOO_SHORT");
  }

  const lower = normalized.toLowerCase();
  if (new Set(lower).size === 1) throw policyError("Password must not be a single repeated character");

  const email = context?.email;
  const localPart = email?.includes("@") ? email.slice(0, email.lastIndexOf("@")) : undefined;
  const identifiers = [email, localPart, context?.username]
    .filter((value): value is string => typeof value === "string" && value.length > 0)
    .map((value) => value.normalize("NFKC").toLowerCase());
  if (identifiers.includes(lower)) {
    throw policyError("Password must not be your email address or username");
  }

  if (loadCommonPasswords().has(lower)) {
    throw policyError("Password is too common; choose a less guessable one");
  }
}

// Far above any policy's maximum; keeps a multi-megabyte login attempt from reaching argon2's prehash.
const MAX_HASHED_PASSWORD_UNITS = 8192;

// $argon2id$v=19$<params>$<salt>$<hash>, params m, t, p in any order (argon2 0.45 writes m,p,t; 0.44 and the PHC spec m,t,p)
const ARGON2ID_PHC = /^\$argon2id\$v=19\$([a-z0-9=,]{1,64})\$[A-Za-z0-9+/]{11,}\$[A-Za-z0-9+/]{11,}$/;

function parseArgon2idHash(hash: string): Argon2Params | null {
  if (typeof hash !== "string" || hash.length > 1024) return null;
  const match = ARGON2ID_PHC.exec(hash);
  if (!match?.[1]) return null;
  const params = new Map<string, number>();
  for (const pair of match[1].split(",")) {
    const [name = "", value = ""] = pair.split("=");
    if (!/^[1-9]\d{0,9}$/.test(value) || params.has(name)) return null;
    params.set(name, Number(value));
  }
  const memoryKiB = params.get("m");
  const iterations = params.get("t");
  const parallelism = params.get("p");
  if (params.size !== 3 || !memoryKiB || !iterations || !parallelism) return null;
  return { memoryKiB, iterations, parallelism };
}

/** The 503 of a full hash queue, and of queued work whose client has gone (nobody reads that answer). */
const HASH_RETRY_AFTER_SECONDS = 1;

/**
 * Creates an argon2id hasher with the given cost that runs at most `maxConcurrent` hashes at once, with at most
 * `maxQueued` waiting (default: unbounded).
 */
export function createPasswordHasher(
  params: Argon2Params & { maxConcurrent: number; maxQueued?: number; sleep?: (ms: number) => Promise<void> },
): PasswordHasher {
  const sleep = params.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  // how long a verification at the current parameters takes here (moving average), to pad weaker ones to it
  let currentVerifyMs: number | undefined;
  const queue = createConcurrencyLimit(params.maxConcurrent, { maxQueue: params.maxQueued ?? Number.POSITIVE_INFINITY });
  const limit = async <T>(task: () => Promise<T>, signal: AbortSignal | undefined): Promise<T> => {
    try {
      return await queue(task, signal);
    } catch (error) {
      if (error instanceof QueueFullError || error instanceof TaskAbandonedError) {
        const logDetail = error instanceof QueueFullError ? "password hash queue full" : "client gone before its hash started";
        throw new AuthError("SERVER_BUSY", "The server is busy; try again shortly", { retryAfterSeconds: HASH_RETRY_AFTER_SECONDS, logDetail });
      }
      throw error;
    }
  };
  const options = {
    type: argon2.argon2id,
    memoryCost: params.memoryKiB,
    timeCost: params.iterations,
    parallelism: params.parallelism,
  } as const;
  let dummyHash: Promise<string> | undefined;

  const hash = (password: string, signal?: AbortSignal): Promise<string> => {
    if (typeof password !== "string" || password.length > MAX_HASHED_PASSWORD_UNITS) {
      return Promise.reject(new RangeError("Password must be a string within the hashing limit"));
    }
    return limit(() => argon2.hash(password.normalize("NFKC"), options), signal);
  };

  const verify = async (stored: string, password: string, signal?: AbortSignal): Promise<boolean> => {
    if (typeof password !== "string" || password.length > MAX_HASHED_PASSWORD_UNITS) return false;
    const storedParams = parseArgon2idHash(stored);
    if (!storedParams) return false;
    const weaker = isWeaker(storedParams);
    let tookMs = 0;
    // a full queue or a gone client is SERVER_BUSY, never a wrong password (which would count as a failure)
    const valid = await limit(async () => {
      const started = performance.now();
      const result = await argon2.verify(stored, password.normalize("NFKC")).catch(() => false);
      tookMs = performance.now() - started;
      return result;
    }, signal);
    if (!weaker) currentVerifyMs = currentVerifyMs === undefined ? tookMs : 0.8 * currentVerifyMs + 0.2 * tookMs;
    // an old-parameter hash verifies faster than the dummy hash of an unknown account: pad it (outside the queue)
    else if (currentVerifyMs === undefined)
      await verify(await getDummyHash(), password, signal); // no measure yet: a real one
    else if (currentVerifyMs > tookMs) await sleep(currentVerifyMs - tookMs);
    return valid;
  };

  function isWeaker(stored: Argon2Params): boolean {
    return stored.memoryKiB < params.memoryKiB || stored.iterations < params.iterations || stored.parallelism < params.parallelism;
  }

  const getDummyHash = (): Promise<string> => {
    dummyHash ??= hash(randomBytes(32).toString("base64url")).catch((error: unknown) => {
      dummyHash = undefined;
      throw error;
    });
    return dummyHash;
  };

  return {
    hash,
    verify,
    // same cost as a wrong password for a real account: no account enumeration by timing
    async verifyAgainstDummy(password: string, signal?: AbortSignal): Promise<false> {
      await verify(await getDummyHash(), password, signal);
      return false;
    },
    needsRehash(stored: string): boolean {
      const current = parseArgon2idHash(stored);
      return !current || isWeaker(current);
    },
  };
}
