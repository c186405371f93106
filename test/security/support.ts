import { LoginDocument, SignUpDocument } from "../generated/graphql.js";
import { errorCode, newCredentials, type GraphQLResponse, type TestApi } from "../support/api.js";

/** The raw answer to a request built by hand (attacks do not go through a well-behaved client). */
export interface RawResponse {
  status: number;
  headers: Headers;
  text: string;
  body: {
    data?: Record<string, unknown> | null;
    errors?: Array<{ message: string; path?: Array<string | number>; extensions?: Record<string, unknown> }>;
  } | null;
}

/** POSTs any body with any headers (JSON content type unless overridden). */
export async function postRaw(url: string, body: unknown, headers: Record<string, string> = {}): Promise<RawResponse> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return readRaw(response);
}

/** Reads a response whatever it carries. */
export async function readRaw(response: Response): Promise<RawResponse> {
  const text = await response.text();
  let body: RawResponse["body"] = null;
  try {
    body = JSON.parse(text) as RawResponse["body"];
  } catch {
    body = null;
  }
  return { status: response.status, headers: response.headers, text, body };
}

/** The first error code of a raw answer. */
export function rawCode(response: RawResponse): unknown {
  return response.body?.errors?.[0]?.extensions?.code;
}

/** Headers that make a request come from `ip` on a server started with TRUST_PROXY=1. */
export function from(ip: string): { headers: Record<string, string> } {
  return { headers: { "x-forwarded-for": ip } };
}

/** Signs up a fresh account (from `ip` when given) and returns its credentials and first tokens. */
export async function signUpUser(api: TestApi, ip?: string) {
  const creds = newCredentials("sec");
  const res = await api.graphql(SignUpDocument, { input: creds }, ip ? from(ip) : {});
  if (!res.data) throw new Error(`sign-up failed: ${JSON.stringify(res.errors)}`);
  return { creds, payload: res.data.signUp };
}

/** One login attempt from `ip`. */
export function loginFrom(api: TestApi, ip: string, login: string, password: string): Promise<GraphQLResponse<unknown>> {
  return api.graphql(LoginDocument, { input: { login, password } }, from(ip));
}

/** Attempts a login until it is refused with TOO_MANY_REQUESTS; returns how many attempts that took (or null). */
export async function attemptsUntilLimited(
  attempt: () => Promise<GraphQLResponse<unknown>>,
  max: number,
): Promise<{ attempts: number | null; last: GraphQLResponse<unknown> }> {
  let last: GraphQLResponse<unknown> | undefined;
  for (let i = 1; i <= max; i++) {
    last = await attempt();
    if (errorCode(last) === "TOO_MANY_REQUESTS") return { attempts: i, last };
  }
  return { attempts: null, last: last! };
}

/** Distinct documentation addresses (RFC 5737 TEST-NET-3), one per test, so no test shares another's counters. */
let nextAddress = 1;
export function freshAddress(): string {
  nextAddress += 1;
  return `203.0.113.${nextAddress % 250}`;
}
