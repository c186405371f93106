import { availableParallelism } from "node:os";
import { jwtSecretProblem, MIN_JWT_SECRET_BYTES } from "./auth/access-tokens.js";
import type { RateLimitSettings } from "./auth/rate-limits.js";
import { parseTotpKey } from "./auth/totp.js";
import { mongoDatabaseName } from "./storage/mongodb/url.js";

/**
 * The one typed configuration object, read from the environment once at start-up.
 * Every bad variable is reported at once, each with a message that says how to fix it.
 */

/** What browsers may send by default: Apollo Client's own headers and the W3C/Sentry tracing headers. */
const DEFAULT_CORS_ALLOWED_HEADERS = [
  "authorization",
  "content-type",
  "apollo-require-preflight",
  "x-apollo-operation-name",
  "apollographql-client-name",
  "apollographql-client-version",
  "traceparent",
  "tracestate",
  "baggage",
  "sentry-trace",
];

export type SessionLimitStrategy = "evict-oldest" | "reject";

/** Unsafe settings a production deployment must name in PRODUCTION_OVERRIDES to be allowed to start with them. */
export type ProductionOverride = "rate-limits-off" | "embedded-as-root";
const PRODUCTION_OVERRIDES: readonly ProductionOverride[] = ["rate-limits-off", "embedded-as-root"];

/** The configuration of one deployment, as loadConfig() reads it from the environment (README's table). */
export interface Config {
  production: boolean;
  /** The unsafe production settings the operator accepted explicitly (PRODUCTION_OVERRIDES). */
  productionOverrides: ProductionOverride[];
  host: string;
  port: number;
  logLevel: LogLevel;
  /** Holds the embedded PostgreSQL cluster and the development JWT secret. */
  dataDir: string;
  database:
    | ({ provider: "postgresql"; url: string } & DatabasePool)
    | ({ provider: "mongodb"; url: string } & DatabasePool)
    /** No DATABASE_URL: the app starts its own PostgreSQL in `dataDir`. */
    | ({ provider: "embedded-postgresql"; port: number } & DatabasePool);
  jwt: {
    /** Undefined only outside production: a secret is then generated once and kept in `dataDir`. */
    secret: string | undefined;
    issuer: string;
    audience: string;
    accessTtlSeconds: number;
  };
  sessions: {
    /** At most this many ACTIVE sessions per user; 0 means unlimited. */
    limit: number;
    strategy: SessionLimitStrategy;
    refreshTtlSeconds: number;
    /** A session unused for this long ends (and stops counting toward the limit); 0 disables. */
    idleTimeoutSeconds: number;
    reuseGraceSeconds: number;
  };
  passwords: {
    minLength: number;
    maxLength: number;
    argon2: { memoryKiB: number; iterations: number; parallelism: number };
    /** Hashes computed at once; more wait, so a login storm cannot starve other requests. */
    maxConcurrentHashes: number;
    /** Hashes waiting at most; more are refused at once with SERVICE_UNAVAILABLE (503, Retry-After). */
    maxQueuedHashes: number;
  };
  http: {
    /** Largest accepted request body, in bytes. */
    maxBodyBytes: number;
    /** Proxies in front of the API whose X-Forwarded-For entries are believed; 0 ignores the header. */
    trustProxyHops: number;
    /** Browser origins allowed by CORS; empty: none (same-origin only); ["*"]: any, never with credentials. */
    corsOrigins: string[];
    /** Longest a client may take to send a whole request (headers and body) before it gets 408. */
    requestTimeoutMs: number;
    /** After SIGTERM: how long requests in flight may take to finish before every connection is closed. */
    shutdownTimeoutMs: number;
    /** Also allow loopback origins (localhost, 127.0.0.1, [::1], any port): on by default outside production. */
    corsAllowLoopback: boolean;
    /** Request headers a preflight allows (lower-case). */
    corsAllowedHeaders: string[];
  };
  graphql: {
    introspection: boolean;
    /** Apollo Sandbox landing page on GET /graphql. */
    sandbox: boolean;
    /** Field suggestions ("Did you mean …?") in validation errors. */
    fieldSuggestions: boolean;
    maxDepth: number;
    maxAliases: number;
    maxCost: number;
    maxTokens: number;
    maxDirectives: number;
    /** Root fields that check a password or token (login, signUp, …) in one operation. */
    maxCredentialFields: number;
    /** Refuse to start when a root field carries neither a guard nor `@public` (secure by default). */
    requireGuards: boolean;
  };
  /** Prometheus metrics on `GET /metrics`. */
  /** OpenTelemetry traces, off unless an OTLP endpoint is set (the standard variables). */
  tracing: {
    /** OTEL_EXPORTER_OTLP_ENDPOINT: the collector's base URL (traces go to `<endpoint>/v1/traces`). */
    endpoint: string | null;
    serviceName: string;
  };
  metrics: {
    enabled: boolean;
    /** When set, a scrape must send `Authorization: Bearer <token>`; required in production. */
    token: string | null;
  };
  /** RFC 7662 token introspection (`POST /oauth2/introspect`) for other services. */
  tokenIntrospection: {
    /** The services allowed to introspect (HTTP Basic); none: every call is 401 invalid_client. */
    clients: IntrospectionClient[];
    /** Failed client authentications per client address per minute before it is refused (429) for a minute. */
    failuresPerMinute: number;
  };
  /** GraphQL subscriptions over WebSocket on /graphql (graphql-ws). */
  subscriptions: {
    /** A socket that has not sent `connection_init` by then is closed (4408). */
    connectionInitTimeoutMs: number;
    /** Operations running at once on one socket. */
    maxSubscriptionsPerSocket: number;
    /** Open sockets bound to one session, on this instance. */
    maxSocketsPerSession: number;
    /** Largest accepted WebSocket message; a larger one closes the socket (1009). */
    maxMessageBytes: number;
  };
  rateLimits: RateLimitSettings & {
    /** Mails per hour to one address, and for one account (password reset, verification, email change). */
    mailsPerHour: number;
  };
  /** The second factor (TOTP). */
  mfa: {
    /** The issuer shown in authenticator apps (the `otpauth://` URL). */
    totpIssuer: string;
    /** AES-256-GCM key of the stored TOTP secrets; undefined only outside production (then kept in `dataDir`). */
    encryptionKey: Buffer | undefined;
    /** How long an mfaToken (login's second step) lives. */
    tokenTtlSeconds: number;
    /** Wrong codes (login, disable, confirm) of one account per RATE_LIMIT_WINDOW before it is blocked for the window. */
    accountFailures: number;
  };
  mail: MailConfig;
  maintenance: {
    /** Seconds between sweeps of expired sessions and old audit events; 0 turns the sweep off. */
    sweepIntervalSeconds: number;
    /** Audit events (and ended sessions) older than this are deleted. */
    auditRetentionSeconds: number;
  };
}

/** A service allowed to call the introspection endpoint. */
export interface IntrospectionClient {
  id: string;
  secret: string;
}

/** The connection pool of the database, whatever its provider. */
export interface DatabasePool {
  poolSize: number;
  /**
   * Longest one database call may take (PostgreSQL: waiting for a connection, and each statement; the client
   * gives up a second after the server's statement_timeout, so a frozen server cannot hold a request).
   */
  timeoutMs: number;
}

/** Mail: password reset, email verification and email change (see README, "Mail"). */
export interface MailConfig {
  /** MAIL_ENABLED=false: no mail is queued or sent (the mutations still answer as usual). */
  enabled: boolean;
  /** smtp:// or smtps:// URL; undefined outside production means "write each mail to the log". */
  smtpUrl: string | undefined;
  from: string;
  /** Link templates: `{token}` is replaced by the token. Never derived from the request's Host header. */
  passwordResetUrl: string;
  emailVerificationUrl: string;
  /** REQUIRE_VERIFIED_EMAIL: unverified accounts may only sign in, read `me` and verify. */
  requireVerifiedEmail: boolean;
  /** Seconds between the outbox worker's polls (it is also woken when mail is queued). */
  pollIntervalSeconds: number;
  /** First retry delay after a failed delivery; it doubles with each attempt, up to an hour. */
  retryDelaySeconds: number;
  /** Delivery attempts before a mail is given up (its body deleted). */
  maxAttempts: number;
}

export type LogLevel = "debug" | "info" | "warn" | "error";

/** Thrown by loadConfig with every problem found, one per line. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

type Env = Readonly<Record<string, string | undefined>>;

function mongoDatabaseNameOrEmpty(url: string): string {
  try {
    return mongoDatabaseName(url);
  } catch {
    return "";
  }
}

const MIN_SECRET_BYTES = MIN_JWT_SECRET_BYTES;
const DURATION_UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** Reads and validates the configuration; throws ConfigError listing every bad variable. */
export function loadConfig(env: Env): Config {
  const problems: string[] = [];
  const read = new EnvReader(env, problems);
  const production = env.NODE_ENV === "production";

  const databaseUrl = read.string("DATABASE_URL", "");
  const poolSize = read.integer("DATABASE_POOL_SIZE", 10, { min: 1, max: 1000 });
  const timeoutMs = read.duration("DATABASE_TIMEOUT", "5s", { min: 1, max: 300 }) * 1000;
  let database: Config["database"];
  if (databaseUrl === "") {
    database = { provider: "embedded-postgresql", port: read.integer("EMBEDDED_POSTGRES_PORT", 5433, { min: 1, max: 65535 }), poolSize, timeoutMs };
  } else if (/^postgres(ql)?:\/\//i.test(databaseUrl)) {
    database = { provider: "postgresql", url: databaseUrl, poolSize, timeoutMs };
  } else if (/^mongodb(\+srv)?:\/\//i.test(databaseUrl)) {
    // Prisma needs the database in the path; without one it fails only at the first query, with P1013.
    if (mongoDatabaseNameOrEmpty(databaseUrl) === "") {
      problems.push("DATABASE_URL: a mongodb:// URL must name the database in its path, e.g. mongodb://localhost:27017/auth?replicaSet=rs0");
    }
    database = { provider: "mongodb", url: databaseUrl, poolSize, timeoutMs };
  } else {
    problems.push("DATABASE_URL: must start with postgresql://, postgres://, mongodb:// or mongodb+srv:// (or be unset for the embedded PostgreSQL)");
    database = { provider: "embedded-postgresql", port: 5433, poolSize, timeoutMs };
  }

  const secret = env.JWT_SECRET;
  if (secret === undefined || secret === "") {
    if (production)
      problems.push(`JWT_SECRET: required when NODE_ENV=production (at least ${MIN_SECRET_BYTES} random bytes, e.g. \`openssl rand -base64 48\`)`);
  } else {
    const problem = jwtSecretProblem(secret);
    if (problem !== null) problems.push(`JWT_SECRET: ${problem}`);
  }

  const totpKeyText = env.TOTP_ENCRYPTION_KEY?.trim() ?? "";
  const totpKey = totpKeyText === "" ? undefined : parseTotpKey(totpKeyText);
  if (totpKey === null) problems.push("TOTP_ENCRYPTION_KEY: must be exactly 32 bytes in base64 (e.g. `openssl rand -base64 32`)");
  else if (totpKey === undefined && production) {
    problems.push(
      "TOTP_ENCRYPTION_KEY: required when NODE_ENV=production (32 random bytes in base64, e.g. `openssl rand -base64 32`); keep it: without it no TOTP secret can be read",
    );
  }

  const minLength = read.integer("PASSWORD_MIN_LENGTH", 15, { min: 8, max: 256 });
  const config: Config = {
    production,
    productionOverrides: readOverrides(env, problems),
    host: read.string("HOST", "0.0.0.0"),
    port: read.integer("PORT", 4000, { min: 0, max: 65535 }),
    logLevel: read.oneOf("LOG_LEVEL", ["debug", "info", "warn", "error"], "info"),
    dataDir: read.string("DATA_DIR", ".data"),
    database,
    jwt: {
      secret: secret === "" ? undefined : secret,
      issuer: read.string("JWT_ISSUER", "graphql-auth-api"),
      audience: read.string("JWT_AUDIENCE", "graphql-auth-api"),
      accessTtlSeconds: read.duration("ACCESS_TOKEN_TTL", "15m", { min: 10, max: 86_400 }),
    },
    sessions: {
      limit: read.integer("SESSION_LIMIT", 1, { min: 0, max: 10_000 }),
      strategy: read.oneOf("SESSION_LIMIT_STRATEGY", ["evict-oldest", "reject"], "evict-oldest"),
      refreshTtlSeconds: read.duration("REFRESH_TOKEN_TTL", "30d", { min: 60, max: 400 * 86_400 }),
      idleTimeoutSeconds: read.duration("SESSION_IDLE_TIMEOUT", "7d", { min: 0, max: 400 * 86_400 }),
      reuseGraceSeconds: read.duration("REFRESH_REUSE_GRACE", "10s", { min: 0, max: 300 }),
    },
    passwords: {
      minLength,
      maxLength: 256,
      argon2: {
        memoryKiB: read.integer("ARGON2_MEMORY_KIB", 19_456, { min: 19_456, max: 4_194_304 }),
        iterations: read.integer("ARGON2_ITERATIONS", 2, { min: 2, max: 100 }),
        parallelism: read.integer("ARGON2_PARALLELISM", 1, { min: 1, max: 64 }),
      },
      // one hash per core: measured here, more only slows other requests without adding logins (see README)
      maxConcurrentHashes: read.integer("ARGON2_MAX_CONCURRENT", availableParallelism(), { min: 1, max: 256 }),
      // ~1 s of waiting at ~27 ms a hash on 2 cores: a longer queue only makes every login slow, then time out
      maxQueuedHashes: read.integer("ARGON2_MAX_QUEUE", 64, { min: 1, max: 100_000 }),
    },
    http: {
      maxBodyBytes: read.integer("MAX_BODY_BYTES", 100_000, { min: 1_000, max: 10_000_000 }),
      trustProxyHops: read.integer("TRUST_PROXY", 0, { min: 0, max: 10 }),
      corsOrigins: read.origins("CORS_ORIGINS"),
      requestTimeoutMs: read.duration("REQUEST_TIMEOUT", "30s", { min: 1, max: 600 }) * 1000,
      shutdownTimeoutMs: read.duration("SHUTDOWN_TIMEOUT", "10s", { min: 1, max: 600 }) * 1000,
      corsAllowLoopback: read.boolean("CORS_ALLOW_LOOPBACK", !production),
      corsAllowedHeaders: read.headerNames("CORS_ALLOWED_HEADERS", DEFAULT_CORS_ALLOWED_HEADERS),
    },
    graphql: {
      introspection: read.boolean("INTROSPECTION", !production),
      sandbox: read.boolean("SANDBOX", !production),
      fieldSuggestions: read.boolean("FIELD_SUGGESTIONS", !production),
      maxDepth: read.integer("GRAPHQL_MAX_DEPTH", 8, { min: 2, max: 100 }),
      maxAliases: read.integer("GRAPHQL_MAX_ALIASES", 10, { min: 0, max: 1_000 }),
      maxCost: read.integer("GRAPHQL_MAX_COST", 1_000, { min: 10, max: 1_000_000 }),
      maxTokens: read.integer("GRAPHQL_MAX_TOKENS", 1_000, { min: 50, max: 100_000 }),
      maxDirectives: read.integer("GRAPHQL_MAX_DIRECTIVES", 10, { min: 0, max: 1_000 }),
      maxCredentialFields: read.integer("GRAPHQL_MAX_CREDENTIAL_FIELDS", 1, { min: 1, max: 100 }),
      requireGuards: read.boolean("GRAPHQL_REQUIRE_GUARDS", true),
    },
    tracing: {
      endpoint: read.httpUrl("OTEL_EXPORTER_OTLP_ENDPOINT"),
      serviceName: read.string("OTEL_SERVICE_NAME", "graphql-auth-api"),
    },
    metrics: {
      enabled: read.boolean("METRICS_ENABLED", !production || Boolean(env.METRICS_TOKEN)),
      token: env.METRICS_TOKEN?.trim() || null,
    },
    tokenIntrospection: {
      clients: read.introspectionClients("INTROSPECTION_CLIENTS"),
      failuresPerMinute: read.integer("RATE_LIMIT_INTROSPECTION_FAILURES", 10, { min: 2, max: 1_000_000 }),
    },
    subscriptions: {
      connectionInitTimeoutMs: read.duration("WS_CONNECTION_INIT_TIMEOUT", "5s", { min: 1, max: 300 }) * 1000,
      maxSubscriptionsPerSocket: read.integer("WS_MAX_SUBSCRIPTIONS_PER_SOCKET", 20, { min: 1, max: 10_000 }),
      maxSocketsPerSession: read.integer("WS_MAX_SOCKETS_PER_SESSION", 5, { min: 1, max: 10_000 }),
      maxMessageBytes: read.integer("WS_MAX_MESSAGE_BYTES", 65_536, { min: 1_024, max: 10_000_000 }),
    },
    rateLimits: {
      enabled: read.boolean("RATE_LIMIT_ENABLED", true),
      addressAttemptsPerMinute: read.integer("RATE_LIMIT_ADDRESS_PER_MINUTE", 60, { min: 1, max: 1_000_000 }),
      globalAttemptsPerMinute: read.integer("RATE_LIMIT_GLOBAL_PER_MINUTE", 6_000, { min: 1, max: 100_000_000 }),
      addressFailuresPerDay: read.integer("RATE_LIMIT_ADDRESS_FAILURES_PER_DAY", 100, { min: 1, max: 1_000_000 }),
      loginFailures: read.integer("RATE_LIMIT_LOGIN_FAILURES", 5, { min: 1, max: 100 }),
      accountFailures: read.integer("RATE_LIMIT_ACCOUNT_FAILURES", 20, { min: 1, max: 10_000 }),
      accountBlockSeconds: read.duration("RATE_LIMIT_ACCOUNT_BLOCK", "1m", { min: 1, max: 86_400 }),
      failureWindowSeconds: read.duration("RATE_LIMIT_WINDOW", "15m", { min: 1, max: 7 * 86_400 }),
      signUpsPerHour: read.integer("RATE_LIMIT_SIGNUPS_PER_HOUR", 100, { min: 1, max: 1_000_000 }),
      mailsPerHour: read.integer("RATE_LIMIT_MAILS_PER_HOUR", 5, { min: 1, max: 1_000_000 }),
    },
    mfa: {
      totpIssuer: read.string("TOTP_ISSUER", "graphql-auth-api"),
      encryptionKey: totpKey ?? undefined,
      tokenTtlSeconds: read.duration("MFA_TOKEN_TTL", "5m", { min: 1, max: 3600 }),
      accountFailures: read.integer("RATE_LIMIT_MFA_FAILURES", 10, { min: 1, max: 10_000 }),
    },
    mail: readMailConfig(read, env, production, problems),
    maintenance: {
      sweepIntervalSeconds: read.duration("SESSION_SWEEP_INTERVAL", "10m", { min: 0, max: 86_400 }),
      auditRetentionSeconds: read.duration("AUDIT_RETENTION", "90d", { min: 3_600, max: 3_650 * 86_400 }),
    },
  };
  if (production && !config.rateLimits.enabled && !config.productionOverrides.includes("rate-limits-off")) {
    problems.push("RATE_LIMIT_ENABLED: false leaves logins open to brute force; in production also set PRODUCTION_OVERRIDES=rate-limits-off to accept that");
  }
  if (production && config.metrics.enabled && !config.metrics.token) {
    problems.push("METRICS_ENABLED: in production /metrics needs METRICS_TOKEN (scrapers send it as a Bearer token)");
  }
  if (config.metrics.token !== null && Buffer.byteLength(config.metrics.token) < 16) problems.push("METRICS_TOKEN: must be at least 16 bytes");
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

function readOverrides(env: Env, problems: string[]): ProductionOverride[] {
  const names = (env.PRODUCTION_OVERRIDES ?? "")
    .split(",")
    .map((name) => name.trim())
    .filter((name) => name !== "");
  const unknown = names.filter((name) => !(PRODUCTION_OVERRIDES as readonly string[]).includes(name));
  if (unknown.length > 0) problems.push(`PRODUCTION_OVERRIDES: unknown ${unknown.join(", ")} (known: ${PRODUCTION_OVERRIDES.join(", ")})`);
  return names.filter((name): name is ProductionOverride => (PRODUCTION_OVERRIDES as readonly string[]).includes(name));
}

const DEV_APP_URL = "http://localhost:3000";

function readMailConfig(read: EnvReader, env: Env, production: boolean, problems: string[]): MailConfig {
  const enabled = read.boolean("MAIL_ENABLED", true);
  const smtpUrl = read.string("SMTP_URL", "") || undefined;
  if (smtpUrl !== undefined && !/^smtps?:\/\/[^/]/i.test(smtpUrl)) {
    problems.push("SMTP_URL: must be smtp://user:pass@host:port or smtps://user:pass@host:port");
  }
  // in production every mail setting must be chosen: a default would mail links to localhost from no-reply@localhost
  const needed = production && enabled;
  const required = (name: string, why: string) => {
    if (needed && !env[name]?.trim())
      problems.push(`${name}: required when NODE_ENV=production and mail is on (${why}); or set MAIL_ENABLED=false to run without mail`);
  };
  required("SMTP_URL", "e.g. smtps://user:password@smtp.example.com:465 from your mail provider");
  required("MAIL_FROM", 'the sender, e.g. "Example <no-reply@example.com>"');
  required("PASSWORD_RESET_URL", "your app's reset page, e.g. https://app.example.com/reset-password?token={token}");
  required("EMAIL_VERIFICATION_URL", "your app's verification page, e.g. https://app.example.com/verify-email?token={token}");
  return {
    enabled,
    smtpUrl,
    from: read.string("MAIL_FROM", "GraphQL Auth API <no-reply@localhost>"),
    passwordResetUrl: read.linkTemplate("PASSWORD_RESET_URL", `${DEV_APP_URL}/reset-password?token={token}`),
    emailVerificationUrl: read.linkTemplate("EMAIL_VERIFICATION_URL", `${DEV_APP_URL}/verify-email?token={token}`),
    requireVerifiedEmail: read.boolean("REQUIRE_VERIFIED_EMAIL", false),
    pollIntervalSeconds: read.duration("MAIL_POLL_INTERVAL", "5s", { min: 1, max: 3600 }),
    retryDelaySeconds: read.duration("MAIL_RETRY_DELAY", "30s", { min: 1, max: 3600 }),
    maxAttempts: read.integer("MAIL_MAX_ATTEMPTS", 10, { min: 1, max: 100 }),
  };
}

/** Reads typed variables, collecting problems instead of throwing at the first. */
class EnvReader {
  constructor(
    private readonly env: Env,
    private readonly problems: string[],
  ) {}

  string(name: string, fallback: string): string {
    return this.env[name]?.trim() || fallback;
  }

  integer(name: string, fallback: number, range: { min: number; max: number }): number {
    const raw = this.env[name]?.trim();
    if (!raw) return fallback;
    const value = Number(raw);
    if (!/^-?\d+$/.test(raw) || value < range.min || value > range.max) {
      this.problems.push(`${name}: must be a whole number from ${range.min} to ${range.max} (got "${raw}")`);
      return fallback;
    }
    return value;
  }

  /** true/false (also 1/0, yes/no, on/off). */
  boolean(name: string, fallback: boolean): boolean {
    const raw = this.env[name]?.trim().toLowerCase();
    if (!raw) return fallback;
    if (["true", "1", "yes", "on"].includes(raw)) return true;
    if (["false", "0", "no", "off"].includes(raw)) return false;
    this.problems.push(`${name}: must be true or false (got "${raw}")`);
    return fallback;
  }

  /** An http(s) URL, or null when unset. */
  httpUrl(name: string): string | null {
    const raw = this.env[name]?.trim();
    if (!raw) return null;
    try {
      const url = new URL(raw);
      if (url.protocol === "http:" || url.protocol === "https:") return raw;
    } catch {
      // reported below
    }
    this.problems.push(`${name}: must be an http:// or https:// URL`);
    return null;
  }

  /** A comma-separated list of HTTP header names, lower-cased. */
  headerNames(name: string, fallback: readonly string[]): string[] {
    const raw = this.env[name]?.trim();
    if (!raw) return [...fallback];
    const names = raw
      .split(",")
      .map((entry) => entry.trim().toLowerCase())
      .filter((entry) => entry !== "");
    const bad = names.find((entry) => !/^[a-z0-9!#$%&'*+.^_`|~-]+$/.test(entry));
    if (bad !== undefined) this.problems.push(`${name}: "${bad}" is not an HTTP header name`);
    return names;
  }

  /** A comma-separated list of origins (scheme://host[:port]), or "*". */
  origins(name: string): string[] {
    const raw = this.env[name]?.trim();
    if (!raw) return [];
    const entries = raw
      .split(",")
      .map((entry) => entry.trim())
      .filter((entry) => entry !== "");
    if (entries.length === 1 && entries[0] === "*") return ["*"];
    const origins: string[] = [];
    for (const entry of entries) {
      let origin: string | null = null;
      try {
        const url = new URL(entry);
        if ((url.protocol === "http:" || url.protocol === "https:") && url.origin === entry.replace(/\/$/, "")) origin = url.origin;
      } catch {
        // reported below
      }
      if (origin === null) this.problems.push(`${name}: "${entry}" is not an origin like https://app.example.com (or use * alone)`);
      else origins.push(origin);
    }
    return origins;
  }

  /** Comma-separated `id:secret` pairs; ids unique, secrets of at least 16 characters. */
  introspectionClients(name: string): IntrospectionClient[] {
    const raw = this.env[name]?.trim();
    if (!raw) return [];
    const clients: IntrospectionClient[] = [];
    for (const [index, entry] of raw
      .split(",")
      .map((item) => item.trim())
      .entries()) {
      const colon = entry.indexOf(":");
      const id = colon > 0 ? entry.slice(0, colon) : "";
      const secret = colon > 0 ? entry.slice(colon + 1) : "";
      // the message names the entry by position and id only: the secret never reaches a log
      if (!/^[A-Za-z0-9._~-]+$/.test(id)) this.problems.push(`${name}: entry ${index + 1} must be id:secret with an id of letters, digits, . _ ~ -`);
      else if (secret.length < 16) this.problems.push(`${name}: the secret of "${id}" must be at least 16 characters (e.g. \`openssl rand -hex 24\`)`);
      else if (clients.some((client) => client.id === id)) this.problems.push(`${name}: client "${id}" is listed twice`);
      else clients.push({ id, secret });
    }
    return clients;
  }

  /** An http(s) URL containing `{token}`. */
  linkTemplate(name: string, fallback: string): string {
    const value = this.string(name, fallback);
    let ok = value.includes("{token}");
    try {
      ok &&= ["http:", "https:"].includes(new URL(value.replace("{token}", "x")).protocol);
    } catch {
      ok = false;
    }
    if (!ok) this.problems.push(`${name}: must be an http(s) URL containing {token}, e.g. https://app.example.com/reset?token={token} (got "${value}")`);
    return value;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const raw = this.env[name]?.trim();
    if (!raw) return fallback;
    if (!(allowed as readonly string[]).includes(raw)) {
      this.problems.push(`${name}: must be one of ${allowed.join(", ")} (got "${raw}")`);
      return fallback;
    }
    return raw as T;
  }

  /** A duration in seconds: "900", "900s", "15m", "12h" or "30d". */
  duration(name: string, fallback: string, range: { min: number; max: number }): number {
    const raw = this.env[name]?.trim() || fallback;
    const match = /^(\d+)\s*([smhd]?)$/.exec(raw);
    const seconds = match ? Number(match[1]) * (DURATION_UNITS[match[2] || "s"] ?? 1) : NaN;
    if (!(seconds >= range.min && seconds <= range.max)) {
      this.problems.push(`${name}: must be a duration like 30s, 15m, 12h or 30d, from ${range.min}s to ${range.max}s (got "${raw}")`);
      return parseDurationUnchecked(fallback);
    }
    return seconds;
  }
}

function parseDurationUnchecked(value: string): number {
  const match = /^(\d+)([smhd]?)$/.exec(value);
  return match ? Number(match[1]) * (DURATION_UNITS[match[2] || "s"] ?? 1) : 0;
}
