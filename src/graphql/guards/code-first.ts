import { MapperKind, mapSchema } from "@graphql-tools/utils";
import type { GraphQLSchema } from "graphql";
import { Directive, getMetadataStorage } from "type-graphql";

/**
 * Marks a type-graphql query, mutation or subscription as open to anyone on purpose (`@public` in the
 * schema). A root field needs either this or `@Authorized()`, or the server refuses to start.
 */
export function Public(): MethodDecorator & PropertyDecorator {
  return Directive("@public");
}

/**
 * Writes type-graphql's `@Authorized(...)` into the built schema as `@authorized(roles: …)` directives,
 * so the printed schema shows every guard and the start-up check reads code-first and schema-first
 * schemas alike. It only annotates: type-graphql's authChecker still does the checking.
 */
export function annotateAuthorizedFields(schema: GraphQLSchema, resolvers: ReadonlyArray<Function>): GraphQLSchema {
  const storage = getMetadataStorage();
  const roles = new Map<string, readonly string[]>();
  const ours = new Set(resolvers);
  const roots = [
    [schema.getQueryType()?.name, storage.queries],
    [schema.getMutationType()?.name, storage.mutations],
    [schema.getSubscriptionType()?.name, storage.subscriptions],
  ] as const;
  for (const [typeName, handlers] of roots) {
    for (const handler of handlers) {
      if (typeName && handler.roles && ours.has(handler.target)) roles.set(`${typeName}.${handler.schemaName}`, handler.roles as string[]);
    }
  }
  for (const objectType of storage.objectTypes) {
    for (const field of objectType.fields ?? []) {
      if (field.roles) roles.set(`${objectType.name}.${field.schemaName}`, field.roles as string[]);
    }
  }
  return mapSchema(schema, {
    [MapperKind.OBJECT_FIELD]: (fieldConfig, fieldName, typeName) => {
      const fieldRoles = roles.get(`${typeName}.${fieldName}`);
      if (!fieldRoles) return fieldConfig;
      const directives = (fieldConfig.extensions?.directives ?? {}) as Record<string, unknown>;
      return {
        ...fieldConfig,
        extensions: { ...fieldConfig.extensions, directives: { ...directives, authorized: [fieldRoles.length ? { roles: [...fieldRoles] } : {}] } },
      };
    },
  });
}
