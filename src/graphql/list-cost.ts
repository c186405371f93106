import {
  getNamedType,
  getNullableType,
  GraphQLError,
  isCompositeType,
  isInterfaceType,
  isListType,
  isObjectType,
  Kind,
  valueFromAST,
  type DocumentNode,
  type FieldNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from "graphql";
import { MAX_AUDIT_EVENTS_PER_READ } from "../auth/audit-events.js";
import { MAX_SESSIONS_PAGE } from "../auth/session-management.js";
import type { OperationCheck } from "./operation-checks.js";

/** Size counted for a list field that has no `limit` (or `first`) argument. */
const UNBOUNDED_LIST_SIZE = 10;

/**
 * The largest size each paged list accepts ("Type.field"); a larger one is refused by its resolver (BAD_USER_INPUT)
 * before it loads anything, so it is counted as nothing here and the client gets that precise error.
 */
export const LIST_SIZE_LIMITS: Readonly<Record<string, number>> = {
  "User.sessions": MAX_SESSIONS_PAGE,
  "User.auditEvents": MAX_AUDIT_EVENTS_PER_READ,
};

/**
 * The rows an operation may load: each object field counts 1, times the size of every list around it; a list's
 * size is its `limit` (or `first`) argument as the request gives it (literal or variable), else that argument's
 * default. So ten aliases of `me { sessions(limit: 100) }` count 1,010 where graphql-armor counts a list as one.
 * Scalars are free: they come with their row.
 */
export function operationRowCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
): number {
  return rowCost(schema, document, operation, variables).cost;
}

/** The row cost, and whether a variable gave a list size (else the cost is the same for every request of the operation). */
function rowCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
): { cost: number; variableSized: boolean } {
  let variableSized = false;
  const root = schema.getRootType(operation.operation);
  if (!root) return { cost: 0, variableSized };
  const fragments = new Map(
    document.definitions.flatMap((definition) => (definition.kind === Kind.FRAGMENT_DEFINITION ? [[definition.name.value, definition] as const] : [])),
  );

  const costOf = (selectionSet: SelectionSetNode, parent: GraphQLNamedType, seen: ReadonlySet<string>): number => {
    let cost = 0;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        const field = isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[selection.name.value] : undefined;
        const type = field && getNamedType(field.type);
        if (!field || !type || !isCompositeType(type) || !selection.selectionSet) continue; // scalars, __typename
        const size = listSize(selection, `${parent.name}.${field.name}`, field, variables);
        if (size.fromVariable) variableSized = true;
        cost += size.value * (1 + costOf(selection.selectionSet, type, seen));
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
        if (type) cost += costOf(selection.selectionSet, type, seen);
      } else {
        const fragment = fragments.get(selection.name.value);
        const type = fragment && schema.getType(fragment.typeCondition.name.value);
        // a cycle is refused by graphql's own validation; here it just stops counting
        if (fragment && type && !seen.has(fragment.name.value)) cost += costOf(fragment.selectionSet, type, new Set([...seen, fragment.name.value]));
      }
    }
    return cost;
  };
  return { cost: costOf(operation.selectionSet, root, new Set()), variableSized };
}

function listSize(
  node: FieldNode,
  coordinate: string,
  field: GraphQLField<unknown, unknown>,
  variables: Record<string, unknown>,
): { value: number; fromVariable: boolean } {
  if (!isListType(getNullableType(field.type))) return { value: 1, fromVariable: false };
  const sizeArgument = field.args.find((argument) => argument.name === "limit" || argument.name === "first");
  if (!sizeArgument) return { value: UNBOUNDED_LIST_SIZE, fromVariable: false };
  const given = node.arguments?.find((argument) => argument.name.value === sizeArgument.name);
  const fromVariable = given?.value.kind === Kind.VARIABLE;
  const value = given ? valueFromAST(given.value, sizeArgument.type, variables) : sizeArgument.defaultValue;
  const max = LIST_SIZE_LIMITS[coordinate];
  if (typeof value === "number" && max !== undefined && value > max) return { value: 0, fromVariable };
  // an absent or invalid size fails in the resolver; counted as the default meanwhile
  const size =
    typeof value === "number" && Number.isFinite(value) && value > 0
      ? value
      : typeof sizeArgument.defaultValue === "number"
        ? sizeArgument.defaultValue
        : UNBOUNDED_LIST_SIZE;
  return { value: size, fromVariable };
}

/**
 * Refuses (400, before anything executes) an operation whose row cost exceeds `maxCost`. Apollo hands every request
 * of an operation the same cached document, so a cost that no variable sizes is counted once per operation. @see issue 17
 */
export function listCostCheck(maxCost: number): OperationCheck {
  const fixedCosts = new WeakMap<OperationDefinitionNode, number>();
  return ({ schema, document, operation, request }) => {
    if (!operation) return;
    let cost = fixedCosts.get(operation);
    if (cost === undefined) {
      const counted = rowCost(schema, document, operation, request.variables ?? {});
      cost = counted.cost;
      if (!counted.variableSized) fixedCosts.set(operation, cost);
    }
    if (cost > maxCost) {
      throw new GraphQLError(`Query cost limit of ${maxCost} exceeded: this operation may load ${cost} rows (each list counts its size)`, {
        extensions: { code: "GRAPHQL_VALIDATION_FAILED", http: { status: 400 } },
      });
    }
  };
}
