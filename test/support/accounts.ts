import { CLI_ACTOR } from "../../src/auth/actor.js";
import { LoginDocument } from "../generated/graphql.js";
import { newCredentials, type TestApi } from "./api.js";

/**
 * Creates an account through the auth core as the command-line tool does (no session, no HTTP sign-up),
 * so tests can make the first ADMIN and users with no session yet.
 */
export async function createAccount(api: TestApi, options: { roles?: string[]; prefix?: string } = {}) {
  const creds = newCredentials(options.prefix);
  const user = await api.app.auth.createUser(CLI_ACTOR, { ...creds, roles: options.roles ?? [] }, { ipAddress: null, userAgent: null });
  return { creds, user };
}

/** Logs in over HTTP, optionally as a given browser; returns the whole response. */
export function logIn(api: TestApi, creds: { email: string; password: string }, userAgent = "vitest") {
  return api.graphql(LoginDocument, { input: { login: creds.email, password: creds.password } }, { headers: { "user-agent": userAgent } });
}

/** Logs in over HTTP and returns the payload; fails the test when the login is refused. */
export async function logInOk(api: TestApi, creds: { email: string; password: string }, userAgent = "vitest") {
  const res = await logIn(api, creds, userAgent);
  if (!res.data) throw new Error(`login refused: ${JSON.stringify(res.errors)}`);
  return res.data.login;
}

/** A fresh account with one session. */
export async function accountWithSession(api: TestApi, options: { roles?: string[]; prefix?: string; userAgent?: string } = {}) {
  const account = await createAccount(api, options);
  return { ...account, payload: await logInOk(api, account.creds, options.userAgent) };
}
