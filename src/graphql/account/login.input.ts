import { Field, InputType } from "type-graphql";

/** Credentials; `login` is an email address or a username. */
@InputType()
export class LoginInput {
  @Field(() => String, { description: "Email address or username." })
  login!: string;

  @Field(() => String)
  password!: string;
}
