import type { ApolloServerPlugin, GraphQLRequestContextWillSendResponse } from "@apollo/server";
import { unwrapResolverError } from "@apollo/server/errors";
import { GraphQLError, type GraphQLFormattedError } from "graphql";
import { AuthError, ERROR_REASONS, type AuthErrorCode, type ErrorReason } from "../auth/errors.js";
import type { Logger } from "../logger.js";
import { StoreUnavailableError } from "../auth/ports/store.js";
import type { GraphQLContext } from "./context.js";
import { operationChecksPlugin } from "./operation-checks.js";

const DATABASE_RETRY_AFTER_SECONDS = 5;

/** The HTTP status of a failed operation, by its error code. */
const HTTP_STATUS = {
  UNAUTHENTICATED: 401,
  MFA_REQUIRED: 401,
  FORBIDDEN: 403,
  BAD_USER_INPUT: 400,
  SESSION_LIMIT_REACHED: 409,
  TOO_MANY_REQUESTS: 429,
  SERVICE_UNAVAILABLE: 503,
} satisfies Record<AuthErrorCode, number>;

/** Codes Apollo itself produces for bad requests; passed through as they are. */
const APOLLO_REQUEST_CODES = new Set([
  "GRAPHQL_PARSE_FAILED",
  "GRAPHQL_VALIDATION_FAILED",
  "BAD_USER_INPUT",
  "BAD_REQUEST",
  "PERSISTED_QUERY_NOT_FOUND",
  "PERSISTED_QUERY_NOT_SUPPORTED",
  "OPERATION_RESOLUTION_FAILURE",
]);

/**
 * The one place where errors become what clients see: AuthError keeps its code and message, a database
 * outage becomes SERVICE_UNAVAILABLE (reported to `onUnavailable`, which logs an outage once), anything unexpected a generic INTERNAL_SERVER_ERROR (logged in full).
 * `hideSuggestions` (FIELD_SUGGESTIONS=false) strips graphql-js's "Did you mean …?" from every message,
 * whichever phase wrote it: validation, or the coercion of a variable (an input field's typo).
 */
export function createFormatError(
  log: Logger,
  onUnavailable: (cause: unknown) => void = (cause) => log.error("database unavailable", { cause }),
  options: { hideSuggestions?: boolean } = {},
) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    const base = {
      message: options.hideSuggestions ? withoutSuggestions(formatted.message) : formatted.message,
      ...(formatted.path ? { path: formatted.path } : {}),
      ...(formatted.locations ? { locations: formatted.locations } : {}),
    };
    if (original instanceof AuthError) {
      if (original.details.logDetail)
        log.debug("request refused", { code: original.code, reason: original.reason, detail: original.details.logDetail, path: formatted.path });
      return { ...base, message: original.message, extensions: authErrorExtensions(original) };
    }
    if (original instanceof StoreUnavailableError) {
      onUnavailable(original.cause);
      return {
        ...base,
        message: "Service temporarily unavailable; try again shortly",
        extensions: { code: "SERVICE_UNAVAILABLE", reason: "DATABASE_UNAVAILABLE", retryAfter: DATABASE_RETRY_AFTER_SECONDS },
      };
    }
    const code = formatted.extensions?.code;
    if (code === "BAD_USER_INPUT") return { ...base, extensions: { code, ...variableErrorDetails(formatted.message, error) } };
    if (typeof code === "string" && APOLLO_REQUEST_CODES.has(code)) return { ...base, extensions: { code, ...knownReason(formatted.extensions?.reason) } };
    // Apollo marks some bad requests 4xx without a code (a persisted query whose hash does not match, an
    // unknown persisted-query version): the client's mistake, whatever code Apollo filled in
    if (isClientErrorStatus(original)) return { ...base, extensions: { code: "BAD_REQUEST" } };
    log.error("unexpected error", { path: formatted.path, error: original });
    return { ...base, message: "Internal server error", extensions: { code: "INTERNAL_SERVER_ERROR" } };
  };
}

/** A graphql-js message without its trailing "Did you mean …?", which names parts of the schema. */
export function withoutSuggestions(message: string): string {
  return message.replace(/ ?Did you mean(.+?)\?$/, "");
}

/** True for an error Apollo (or a plugin) classified as a client error with an HTTP 4xx status. */
function isClientErrorStatus(error: unknown): boolean {
  const status = error instanceof GraphQLError ? (error.extensions?.http as { status?: unknown } | undefined)?.status : undefined;
  return typeof status === "number" && status >= 400 && status < 500;
}

/** `{ reason }` when `reason` is one of the catalogue's, else nothing. */
function knownReason(reason: unknown): { reason?: ErrorReason } {
  return typeof reason === "string" && Object.hasOwn(ERROR_REASONS, reason) ? { reason: reason as ErrorReason } : {};
}

// graphql-js words a variable it cannot coerce as: Variable "$input" got invalid value … at "input.email"; …
const VARIABLE_ERROR = /^Variable "\$(\w+)" (?:got invalid value [\s\S]*? at "([\w.[\]]+)";)?/;

/**
 * The reason and input field of a variable that failed coercion, so clients can point at the field. The
 * reason comes from the scalar's own error when it names one (EmailAddress: INVALID_EMAIL).
 */
export function variableErrorDetails(message: string, error: unknown): { reason: ErrorReason; field?: string } {
  const original = error instanceof GraphQLError ? error.originalError : undefined;
  const named = original instanceof GraphQLError ? original.extensions.reason : undefined;
  const reason = knownReason(named).reason ?? "INVALID_INPUT";
  const match = VARIABLE_ERROR.exec(message);
  if (!match) return { reason };
  const [, variable, path] = match;
  const field = path
    ? path
        .replace(/\[\d+\]/g, "")
        .split(".")
        .pop()
    : variable;
  return { reason, ...(field ? { field } : {}) };
}

/** What a client sees of an AuthError: its code and reason, and the details that API.md names. */
export function authErrorExtensions(error: AuthError): Record<string, unknown> {
  const { field, sessionStatus, retryAfterSeconds, mfaToken } = error.details;
  return {
    code: error.code,
    reason: error.reason,
    ...(field ? { field } : {}),
    ...(sessionStatus ? { sessionStatus } : {}),
    ...(retryAfterSeconds ? { retryAfter: retryAfterSeconds } : {}),
    ...(mfaToken ? { mfaToken } : {}),
  };
}

/** Sets the HTTP status of an operation that failed as a whole, with WWW-Authenticate or Retry-After. */
export function setFailureStatus({ response, contextValue }: GraphQLRequestContextWillSendResponse<GraphQLContext>): void {
  if (response.body.kind !== "single") return;
  const { data, errors } = response.body.singleResult;
  const first = errors?.[0];
  if (!first || !failedAsAWhole(data, errors)) return;
  const code = first.extensions?.code;
  const status = code === "INTERNAL_SERVER_ERROR" ? 500 : HTTP_STATUS[code as AuthErrorCode];
  if (!status) return;
  response.http.status = status;
  if (status === 401) {
    response.http.headers.set("www-authenticate", contextValue.accessToken ? 'Bearer error="invalid_token"' : "Bearer");
  }
  const retryAfter = first.extensions?.retryAfter;
  if (typeof retryAfter === "number") response.http.headers.set("retry-after", String(retryAfter));
}

/** setFailureStatus as an Apollo plugin, for servers that embed the API (createAuthService). */
export const httpStatusPlugin: ApolloServerPlugin<GraphQLContext> = operationChecksPlugin([], setFailureStatus);

/**
 * True when no top-level field produced data: `data` is null, or every root field is null with an error of
 * its own (a nullable field such as `user(id)` refused to a non-admin fails the operation just the same).
 */
function failedAsAWhole(data: Record<string, unknown> | null | undefined, errors: readonly GraphQLFormattedError[]): boolean {
  if (data === null || data === undefined) return true;
  const failedRoots = new Set(errors.filter((error) => error.path?.length === 1).map((error) => error.path?.[0]));
  return Object.entries(data).every(([key, value]) => value === null && failedRoots.has(key));
}
