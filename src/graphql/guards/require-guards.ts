import type { GraphQLSchema } from "graphql";
import { readFieldGuard } from "./directives.js";

/** The root fields (`Query.x`, `Mutation.y`, `Subscription.z`) that carry neither a guard nor `@public`. */
export function findUnguardedRootFields(schema: GraphQLSchema): string[] {
  const unguarded: string[] = [];
  for (const type of [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()]) {
    if (!type) continue;
    for (const field of Object.values(type.getFields())) {
      if (readFieldGuard(schema, type, field) === null) unguarded.push(`${type.name}.${field.name}`);
    }
  }
  return unguarded;
}

/** Thrown at start-up for a schema with unguarded root fields; the message names them. */
export class UnguardedSchemaError extends Error {
  constructor(readonly fields: string[]) {
    super(
      `These root fields have no guard: ${fields.join(", ")}. Mark each @Authorized() or @Public() (code-first), ` +
        "or @authorized / @public (schema-first); or set GRAPHQL_REQUIRE_GUARDS=false to serve them unguarded.",
    );
    this.name = "UnguardedSchemaError";
  }
}

/** Secure by default: refuses a schema in which any root field is neither guarded nor marked public. */
export function assertRootFieldsGuarded(schema: GraphQLSchema): void {
  const fields = findUnguardedRootFields(schema);
  if (fields.length > 0) throw new UnguardedSchemaError(fields);
}
