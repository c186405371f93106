import { GraphQLError, GraphQLScalarType } from "graphql";
import { EmailAddressResolver } from "graphql-scalars";

/**
 * graphql-scalars' EmailAddress, whose refusals carry the reason INVALID_EMAIL: graphql-js words a bad
 * variable without its type, so the reason travels on the scalar's own error (see graphql/errors.ts).
 */
export const EmailAddressScalar = new GraphQLScalarType({
  ...EmailAddressResolver.toConfig(),
  parseValue(value) {
    try {
      return EmailAddressResolver.parseValue(value);
    } catch (error) {
      throw new GraphQLError(error instanceof Error ? error.message : "Invalid email address", { extensions: { reason: "INVALID_EMAIL" } });
    }
  },
});
