import "reflect-metadata";
import { specifiedDirectives, type GraphQLSchema } from "graphql";
import { buildSchema } from "type-graphql";
import { AccountResolver } from "./account/account.resolver.js";
import { AuditEventResolver } from "./audit/audit-event.resolver.js";
import { authChecker } from "./auth-checker.js";
import { annotateAuthorizedFields } from "./guards/code-first.js";
import { authorizedDirective, publicDirective } from "./guards/directives.js";
import { SessionResolver } from "./session/session.resolver.js";
import { UserAdminResolver } from "./user/user-admin.resolver.js";
import { UserResolver } from "./user/user.resolver.js";

/** The resolvers of the API; teams embedding it add theirs beside these. */
export const resolvers = [AccountResolver, SessionResolver, UserResolver, UserAdminResolver, AuditEventResolver] as const;

/**
 * Builds the executable schema from the type-graphql classes (the API's and `extraResolvers`), with the
 * guards written into it as `@authorized` / `@public` directives.
 */
export async function createSchema(extraResolvers: ReadonlyArray<Function> = []): Promise<GraphQLSchema> {
  const all = [...resolvers, ...extraResolvers] as [Function, ...Function[]];
  const schema = await buildSchema({
    resolvers: all,
    authChecker,
    authMode: "error",
    validate: false,
    directives: [...specifiedDirectives, authorizedDirective, publicDirective],
  });
  return annotateAuthorizedFields(schema, all);
}
