import { EmailAddressScalar } from "../scalars.js";
import { ArgsType, Field } from "type-graphql";

/** The arguments of requestEmailChange. */
@ArgsType()
export class RequestEmailChangeArgs {
  @Field(() => EmailAddressScalar)
  newEmail!: string;

  @Field(() => String)
  currentPassword!: string;
}
