import "reflect-metadata";
import { specifiedDirectives, type GraphQLSchema } from "graphql";
import { createPubSub } from "@graphql-yoga/subscription";
import { buildSchema, type PubSub } from "type-graphql";
import { AccountResolver } from "./account/account.resolver.js";
import { AuditEventResolver } from "./audit/audit-event.resolver.js";
import { authChecker } from "./auth-checker.js";
import { annotateAuthorizedFields } from "./guards/code-first.js";
import { authorizedDirective, publicDirective } from "./guards/directives.js";
import { MfaResolver } from "./mfa/mfa.resolver.js";
import { SessionEndedResolver } from "./session/session-ended.resolver.js";
import { RecoveryResolver } from "./recovery/recovery.resolver.js";
import { SessionResolver } from "./session/session.resolver.js";
import { UserAdminResolver } from "./user/user-admin.resolver.js";
import { UserResolver } from "./user/user.resolver.js";

/** The resolvers of the API; teams embedding it add theirs beside these. */
export const resolvers = [
  AccountResolver,
  SessionResolver,
  SessionEndedResolver,
  UserResolver,
  UserAdminResolver,
  AuditEventResolver,
  MfaResolver,
  RecoveryResolver,
] as const;

/**
 * Builds the executable schema from the type-graphql classes (the API's and `extraResolvers`), with the
 * guards written into it as `@authorized` / `@public` directives. `pubSub` carries the events of the
 * integrator's own topic-based subscriptions (type-graphql's `@Subscription({ topics })`); in-process by default.
 */
export async function createSchema(extraResolvers: ReadonlyArray<Function> = [], options: { pubSub?: PubSub } = {}): Promise<GraphQLSchema> {
  const all = [...resolvers, ...extraResolvers] as [Function, ...Function[]];
  const schema = await buildSchema({
    resolvers: all,
    authChecker,
    authMode: "error",
    validate: false,
    directives: [...specifiedDirectives, authorizedDirective, publicDirective],
    pubSub: options.pubSub ?? createPubSub(),
  });
  return annotateAuthorizedFields(schema, all);
}
