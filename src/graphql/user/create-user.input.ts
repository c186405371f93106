import { Field, InputType } from "type-graphql";
import { SignUpInput } from "../account/sign-up.input.js";

/** Custom user creation by an administrator: sign-up's fields plus roles. */
@InputType()
export class CreateUserInput extends SignUpInput {
  @Field(() => [String], { nullable: true })
  roles?: string[] | null;

  @Field(() => Boolean, { nullable: true, description: "Marks the email address verified (the administrator vouches for it)." })
  emailVerified?: boolean | null;
}
