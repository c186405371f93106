import "reflect-metadata";
import type { GraphQLSchema } from "graphql";
import { buildSchema } from "type-graphql";
import { AccountResolver } from "./account/account.resolver.js";
import { AuditEventResolver } from "./audit/audit-event.resolver.js";
import { authChecker } from "./auth-checker.js";
import { SessionResolver } from "./session/session.resolver.js";
import { UserAdminResolver } from "./user/user-admin.resolver.js";
import { UserResolver } from "./user/user.resolver.js";

/** The resolvers of the API; teams embedding it add theirs beside these. */
export const resolvers = [AccountResolver, SessionResolver, UserResolver, UserAdminResolver, AuditEventResolver] as const;

/** Builds the executable schema from the type-graphql classes. */
export function createSchema(extraResolvers: ReadonlyArray<Function> = []): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers: [...resolvers, ...extraResolvers] as [Function, ...Function[]],
    authChecker,
    authMode: "error",
    validate: false,
  });
}
