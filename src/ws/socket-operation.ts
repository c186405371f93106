import {
  GraphQLError,
  NoSchemaIntrospectionCustomRule,
  getOperationAST,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type GraphQLSchema,
  type ValidationRule,
} from "graphql";
import type { SubscribePayload } from "graphql-ws";
import type { Config } from "../config.js";
import { containsNul, createArmor } from "../graphql/armor.js";
import { withoutSuggestions } from "../graphql/errors.js";

/** A checked subscription, ready to run. */
export interface CheckedOperation {
  document: DocumentNode;
  operationName: string | null | undefined;
  variableValues: Record<string, unknown> | null | undefined;
}

/**
 * The same pre-execution limits as over HTTP (token count, depth, cost, aliases, directives, introspection off in
 * production, field suggestions hidden), for operations sent over a WebSocket. Only subscriptions run there:
 * queries and mutations go over HTTP, where CSRF protection, rate limits and HTTP statuses apply.
 */
export function createOperationChecker(schema: GraphQLSchema, settings: Config["graphql"]) {
  const armor = createArmor(settings);
  const rules: ValidationRule[] = [...specifiedRules, ...armor.validationRules];
  if (!settings.introspection) rules.push(NoSchemaIntrospectionCustomRule);
  const failed = (code: string, errors: readonly GraphQLError[]) =>
    errors.map(
      (error) => new GraphQLError(settings.fieldSuggestions ? error.message : withoutSuggestions(error.message), { nodes: error.nodes, extensions: { code } }),
    );

  /** Parses and validates `payload`; returns the operation, or the errors to send back. */
  return function checkOperation(payload: SubscribePayload): CheckedOperation | GraphQLError[] {
    if (typeof payload.query !== "string") return failed("BAD_REQUEST", [new GraphQLError("query must be a string")]);
    if (containsNul(payload.query) || containsNul(payload.variables)) {
      return failed("BAD_USER_INPUT", [new GraphQLError("Strings must not contain NUL characters")]);
    }
    let document: DocumentNode;
    try {
      document = parse(payload.query, armor.parseOptions);
    } catch (error) {
      return failed("GRAPHQL_PARSE_FAILED", [error instanceof GraphQLError ? error : new GraphQLError("Syntax error")]);
    }
    const errors = validate(schema, document, rules);
    if (errors.length > 0) return failed("GRAPHQL_VALIDATION_FAILED", errors);
    const operation = getOperationAST(document, payload.operationName);
    if (!operation) return failed("OPERATION_RESOLUTION_FAILURE", [new GraphQLError("Unable to identify the operation")]);
    if (operation.operation !== "subscription") {
      return failed("BAD_REQUEST", [new GraphQLError("Only subscriptions run over WebSocket; send queries and mutations over HTTP")]);
    }
    return { document, operationName: payload.operationName, variableValues: payload.variables };
  };
}
