import type { BaseContext, GraphQLRequestContextWillSendResponse } from "@apollo/server";

/** What the request log, the metrics and the traces record of one answered GraphQL operation. */
export interface OperationOutcome {
  /** The first root field: bounded by the schema, unlike client-chosen operation names; null when unknown. */
  rootField: string | null;
  /** `OK`, or the first error's code. */
  code: string;
  /** The first error's reason, when it has one. */
  reason: string | null;
}

/** The outcome of an operation as it is about to be answered. */
export function operationOutcome({ operation, response }: GraphQLRequestContextWillSendResponse<BaseContext>): OperationOutcome {
  const root = operation?.selectionSet.selections[0];
  const first = response.body.kind === "single" ? response.body.singleResult.errors?.[0]?.extensions : undefined;
  return {
    rootField: root?.kind === "Field" ? root.name.value : null,
    code: String(first?.code ?? "OK"),
    reason: typeof first?.reason === "string" ? first.reason : null,
  };
}
