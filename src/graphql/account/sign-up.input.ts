import { JSONObjectResolver } from "graphql-scalars";
import { EmailAddressScalar } from "../scalars.js";
import { Field, InputType } from "type-graphql";

/** Self-service sign-up. Roles are server-owned and cannot be chosen here. */
@InputType()
export class SignUpInput {
  @Field(() => EmailAddressScalar)
  email!: string;

  @Field(() => String)
  password!: string;

  @Field(() => String, { nullable: true })
  username?: string | null;

  @Field(() => JSONObjectResolver, { nullable: true })
  profile?: Record<string, unknown> | null;
}
