import { EmailAddressResolver, JSONObjectResolver } from "graphql-scalars";
import { Field, InputType } from "type-graphql";

/** Self-service sign-up. Roles are server-owned and cannot be chosen here. */
@InputType()
export class SignUpInput {
  @Field(() => EmailAddressResolver)
  email!: string;

  @Field(() => String)
  password!: string;

  @Field(() => String, { nullable: true })
  username?: string | null;

  @Field(() => JSONObjectResolver, { nullable: true })
  profile?: Record<string, unknown> | null;
}
