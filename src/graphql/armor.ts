import type { ApolloServerPlugin } from "@apollo/server";
import { ApolloArmor } from "@escape.tech/graphql-armor";
import {
  BREAK,
  GraphQLError,
  Kind,
  visit,
  type DocumentNode,
  type ParseOptions,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from "graphql";
import type { Config } from "../config.js";
import { listCostCheck } from "./list-cost.js";
import type { OperationCheck } from "./operation-checks.js";

/** Root fields that check a password, a refresh token or a second-factor code: each costs a hash or a limiter count. */
export const CREDENTIAL_FIELDS: ReadonlySet<string> = new Set([
  "login",
  "signUp",
  "renewToken",
  "changePassword",
  "createUser",
  "completeMfaLogin",
  "confirmTotpEnrollment",
  "disableTotp",
]);

/**
 * Abuse limits for this API, checked before anything executes: graphql-armor's alias, depth, cost and
 * directive limits, the rows an operation may load with lists counted at their size (list-cost.ts), graphql-js's token limit (its rejections are GRAPHQL_VALIDATION_FAILED / GRAPHQL_PARSE_FAILED, answered 400),
 * and at most `maxCredentialFields` credential-checking root
 * fields per operation, so aliases cannot multiply password checks. Batched arrays are refused by Apollo
 * itself (allowBatchedHttpRequests stays false).
 */
export function createArmor(settings: Config["graphql"]): {
  /** graphql-armor's own Apollo plugins (none with these settings). */
  plugins: ApolloServerPlugin[];
  /** Checks of each resolved operation, for operationChecksPlugin. */
  checks: OperationCheck[];
  validationRules: ValidationRule[];
  parseOptions: ParseOptions;
} {
  const armor = new ApolloArmor({
    maxAliases: { n: settings.maxAliases },
    maxDepth: { n: settings.maxDepth, ignoreIntrospection: true },
    costLimit: { maxCost: settings.maxCost, ignoreIntrospection: true },
    // armor's token plugin throws from parsingDidStart, which Apollo answers with a 500 (even for a plain
    // syntax error); graphql-js's own parser limit does the same count and fails as GRAPHQL_PARSE_FAILED, 400
    maxTokens: { enabled: false },
    maxDirectives: { n: settings.maxDirectives },
    // the error mapping strips suggestions from every message (graphql/errors.ts), paying only when there is an error
    blockFieldSuggestion: { enabled: false },
  }).protect();
  return {
    // graphql-armor is CommonJS and types its plugins with Apollo's CommonJS declarations: same shape
    plugins: armor.plugins as unknown as ApolloServerPlugin[],
    checks: [rejectNulCharacters, listCostCheck(settings.maxCost)],
    validationRules: [...armor.validationRules, maxCredentialFieldsRule(settings.maxCredentialFields)],
    parseOptions: { maxTokens: settings.maxTokens },
  };
}

/** Refuses an operation with more than `max` credential-checking root fields (aliases and fragments included). */
export function maxCredentialFieldsRule(max: number): ValidationRule {
  return (context: ValidationContext) => ({
    OperationDefinition(operation) {
      if (operation.operation !== "mutation") return;
      const count = countRootFields(context, operation.selectionSet, new Set());
      if (count > max) {
        context.reportError(new GraphQLError(`At most ${max} of ${[...CREDENTIAL_FIELDS].join(", ")} per request (found ${count})`, { nodes: [operation] }));
      }
    },
  });
}

// Root fields only: fragments and inline fragments at the root are expanded, field selections are not entered.
function countRootFields(context: ValidationContext, selectionSet: SelectionSetNode, seen: Set<string>): number {
  let count = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      if (CREDENTIAL_FIELDS.has(selection.name.value)) count += 1;
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      count += countRootFields(context, selection.selectionSet, seen);
    } else {
      // each spread counts every time it appears, as it would execute; a cycle is refused by graphql's own rules
      const name = selection.name.value;
      const fragment = context.getFragment(name);
      if (fragment && !seen.has(name)) count += countRootFields(context, fragment.selectionSet, new Set([...seen, name]));
    }
  }
  return count;
}

/**
 * Refuses NUL characters anywhere in the operation's strings (variables and literals) with BAD_USER_INPUT:
 * no field of this API needs one, and PostgreSQL refuses them in text and JSONB, which would otherwise
 * surface as a 500. Apollo hands every request of the same operation the same cached DocumentNode, so its
 * literals are searched once per distinct document, not once per request. @see issue 17
 */
export const rejectNulCharacters: OperationCheck = ({ request, document }) => {
  if (containsNul(request.variables) || documentContainsNul(document)) {
    throw new GraphQLError("Strings must not contain NUL characters", {
      extensions: { code: "BAD_USER_INPUT", reason: "INVALID_INPUT", http: { status: 400 } },
    });
  }
};

/** True when a string anywhere in `value` (keys included) holds a NUL character. */
export function containsNul(value: unknown, depth = 0): boolean {
  if (typeof value === "string") return value.includes("\0");
  if (depth > 64 || value === null || typeof value !== "object") return false;
  for (const key in value) {
    if (key.includes("\0") || containsNul((value as Record<string, unknown>)[key], depth + 1)) return true;
  }
  return false;
}

// Documents are immutable once parsed; entries go when Apollo's document cache drops the document.
const nulInDocument = new WeakMap<DocumentNode, boolean>();

function documentContainsNul(document: DocumentNode): boolean {
  let found = nulInDocument.get(document);
  if (found === undefined) {
    found = false;
    visit(document, {
      StringValue(node) {
        if (!node.value.includes("\0")) return undefined;
        found = true;
        return BREAK;
      },
    });
    nulInDocument.set(document, found);
  }
  return found;
}
