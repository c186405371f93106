import { getDirective } from "@graphql-tools/utils";
import {
  DirectiveLocation,
  GraphQLDirective,
  GraphQLList,
  GraphQLNonNull,
  GraphQLString,
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLSchema,
} from "graphql";
import type { Guard } from "./guard.js";

/** The SDL of the guard directives, to put beside a schema-first server's own type definitions. */
export const authDirectiveTypeDefs = /* GraphQL */ `
"""Only for an authenticated caller holding every one of \`roles\` (none: any authenticated caller)."""
directive @authorized(roles: [String!]) on FIELD_DEFINITION | OBJECT
"""Open to anyone on purpose: no token is checked."""
directive @public on FIELD_DEFINITION
`;

/** `@authorized(roles: [String!])`, for schemas built in code (type-graphql's `directives` option). */
export const authorizedDirective = new GraphQLDirective({
  name: "authorized",
  description: "Only for an authenticated caller holding every one of `roles` (none: any authenticated caller).",
  locations: [DirectiveLocation.FIELD_DEFINITION, DirectiveLocation.OBJECT],
  args: { roles: { type: new GraphQLList(new GraphQLNonNull(GraphQLString)) } },
});

/** `@public`, for schemas built in code. */
export const publicDirective = new GraphQLDirective({
  name: "public",
  description: "Open to anyone on purpose: no token is checked.",
  locations: [DirectiveLocation.FIELD_DEFINITION],
});

/** How a field is guarded: by a Guard, open on purpose ("public"), or not at all (null). */
export type FieldGuard = Guard | "public" | null;

/**
 * Reads a field's guard from its directives, or else its object type's: `@authorized`, `@public`, and
 * Apollo Federation's `@authenticated` and `@requiresScopes` (scopes taken as roles), so a subgraph's SDL
 * works unchanged. A field's own directive wins over its type's.
 */
export function readFieldGuard(schema: GraphQLSchema, type: GraphQLObjectType, field: GraphQLField<unknown, unknown>): FieldGuard {
  if (getDirective(schema, field, "public")?.length) return "public";
  return readGuard(schema, field) ?? readGuard(schema, type);
}

function readGuard(schema: GraphQLSchema, node: GraphQLObjectType | GraphQLField<unknown, unknown>): Guard | null {
  const authorized = getDirective(schema, node, "authorized")?.[0];
  if (authorized) return { roleSets: authorized.roles?.length ? [authorized.roles as string[]] : [] };
  if (getDirective(schema, node, "authenticated")?.length) return { roleSets: [] };
  const scopes = getDirective(schema, node, "requiresScopes")?.[0];
  if (scopes) return { roleSets: (scopes.scopes as string[][] | undefined) ?? [] };
  return null;
}
