import { MapperKind, mapSchema } from "@graphql-tools/utils";
import { defaultFieldResolver, isObjectType, type GraphQLFieldResolver, type GraphQLSchema } from "graphql";
import { readFieldGuard } from "./directives.js";
import { assertRootFieldsGuarded } from "./require-guards.js";
import { enforceGuard, type GuardContext } from "./guard.js";

/**
 * The schema-first front-end: returns the schema with every field guarded by `@authorized` (on the field
 * or its object type), `@authenticated` or `@requiresScopes` wrapped in the same per-request check as
 * type-graphql's `@Authorized`. The context must carry `principal()` and `guardRules` (see createAuthContext).
 * A subscription field is checked when it is subscribed and again for every event it delivers.
 * Secure by default: throws UnguardedSchemaError, naming them, when a root field has neither a guard nor
 * `@public`, unless `requireGuards` is false.
 */
export function applyAuthDirectives(schema: GraphQLSchema, options: { requireGuards?: boolean } = {}): GraphQLSchema {
  if (options.requireGuards !== false) assertRootFieldsGuarded(schema);
  return mapSchema(schema, {
    [MapperKind.OBJECT_FIELD]: (fieldConfig, fieldName, typeName, mappedSchema) => {
      const type = mappedSchema.getType(typeName);
      const field = isObjectType(type) ? type.getFields()[fieldName] : undefined;
      if (!isObjectType(type) || !field) return fieldConfig;
      const guard = readFieldGuard(mappedSchema, type, field);
      if (guard === null || guard === "public") return fieldConfig;
      const guarded =
        (resolve: GraphQLFieldResolver<unknown, GuardContext>): GraphQLFieldResolver<unknown, GuardContext> =>
        async (source, args, context, info) => {
          await enforceGuard(context, guard, info);
          return resolve(source, args, context, info);
        };
      return {
        ...fieldConfig,
        resolve: guarded(fieldConfig.resolve ?? defaultFieldResolver),
        ...(fieldConfig.subscribe ? { subscribe: guarded(fieldConfig.subscribe) } : {}),
      };
    },
  });
}
