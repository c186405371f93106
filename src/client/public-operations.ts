import type { DocumentNode } from "graphql";

/** Root fields that take no access token: the ways to get one, and the recovery flows that precede them. */
export const PUBLIC_ROOT_FIELDS: ReadonlySet<string> = new Set([
  "signUp",
  "login",
  "renewToken",
  "completeMfaLogin",
  "requestPasswordReset",
  "resetPassword",
  "verifyEmail",
]);

/**
 * True when every root field of the document's operation is public. Such requests go out without an
 * Authorization header, so a stale token can never stand in the way of signing in again.
 */
export function isPublicOperation(document: DocumentNode): boolean {
  const operation = document.definitions.find((definition) => definition.kind === "OperationDefinition");
  if (operation?.kind !== "OperationDefinition") return false;
  const fields = operation.selectionSet.selections;
  return fields.length > 0 && fields.every((field) => field.kind === "Field" && PUBLIC_ROOT_FIELDS.has(field.name.value));
}
