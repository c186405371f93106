import { ArgsType, Field } from "type-graphql";

/** The arguments of resetPassword. */
@ArgsType()
export class ResetPasswordArgs {
  @Field(() => String, { description: "The token from the reset link." })
  token!: string;

  @Field(() => String)
  newPassword!: string;
}
