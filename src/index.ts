/**
 * graphql-auth-api as a library: add sign-up, login, rotating refresh tokens and the per-request session check
 * to your own Apollo Server 5, and guard your own resolvers code-first (`@Authorized()`) or schema-first
 * (`@authorized`). The standalone server is `graphql-auth-api/server`; the browser kit `graphql-auth-api/client`.
 * @packageDocumentation
 */
import "reflect-metadata";
import type { GraphQLSchema } from "graphql";
import { assertRootFieldsGuarded } from "./graphql/guards/require-guards.js";
import { createSchema } from "./graphql/schema.js";
import { migratePostgres } from "./storage/postgres/migrate.js";

export { createAuthService, type AuthService, type AuthServiceOptions } from "./service.js";
export type { GraphQLContext as AuthContext } from "./graphql/context.js";
export type { Principal, ClientInfo } from "./auth/principal.js";
export type { Auth } from "./auth/auth.js";
export type { Store } from "./auth/ports/store.js";

/** The type-graphql resolver classes of the auth operations (signUp, login, renewToken, me, logout, …). */
export { resolvers as authResolvers } from "./graphql/schema.js";
/** type-graphql's `authChecker` that runs the per-request check and answers UNAUTHENTICATED / FORBIDDEN itself. */
export { authChecker } from "./graphql/auth-checker.js";
export { Public } from "./graphql/guards/code-first.js";
export { authDirectiveTypeDefs, authorizedDirective, publicDirective } from "./graphql/guards/directives.js";
export { applyAuthDirectives } from "./graphql/guards/schema-first.js";
export { assertRootFieldsGuarded, findUnguardedRootFields, UnguardedSchemaError } from "./graphql/guards/require-guards.js";
export { createGuardRules } from "./graphql/guards/guard-rules.js";
export type { Guard, GuardCheck, GuardRule } from "./graphql/guards/guard.js";

export { AuthError, ERROR_REASONS, type AuthErrorDetails, type ErrorCode, type ErrorReason } from "./auth/errors.js";
export { ConfigError, loadConfig, type Config } from "./config.js";

/**
 * Builds the code-first schema: the auth operations plus `resolvers` (your type-graphql classes), with the
 * auth checker and every guard written into the schema as `@authorized` / `@public`. Secure by default: throws
 * UnguardedSchemaError naming any root field that has neither `@Authorized()` nor `@Public()`, unless
 * `requireGuards` is false.
 */
export async function buildAuthSchema(options: { resolvers?: ReadonlyArray<Function>; requireGuards?: boolean } = {}): Promise<GraphQLSchema> {
  const schema = await createSchema(options.resolvers ?? []);
  if (options.requireGuards !== false) assertRootFieldsGuarded(schema);
  return schema;
}

/**
 * Applies the pending PostgreSQL migrations (Prisma's folder format, shipped with the package) to `databaseUrl`,
 * without Prisma's native engine. createAuthService does this itself for a URL it opens.
 */
export function runMigrations(databaseUrl: string, log: (message: string) => void = () => {}): Promise<void> {
  return migratePostgres(databaseUrl, log);
}
