import { Field, InputType } from "type-graphql";

/** Credentials; `login` is an email address or a username. */
@InputType()
export class LoginInput {
  @Field(() => String, { description: "Email address or username." })
  login!: string;

  @Field(() => String)
  password!: string;

  @Field(() => Boolean, {
    nullable: true,
    defaultValue: false,
    description:
      "With the `reject` session strategy: end the user's other sessions (REPLACED) instead of refusing the login with SESSION_LIMIT_REACHED, the owner's \"sign out my other device and continue\".",
  })
  endOtherSessions?: boolean | null;
}
