import { ArgsType, Field } from "type-graphql";

/** The arguments of changePassword, in the order clients see them. */
@ArgsType()
export class ChangePasswordArgs {
  @Field(() => String)
  currentPassword!: string;

  @Field(() => String)
  newPassword!: string;
}
