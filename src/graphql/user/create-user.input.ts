import { EmailAddressResolver, JSONObjectResolver } from "graphql-scalars";
import { Field, InputType } from "type-graphql";

/** Custom user creation by an administrator. */
@InputType()
export class CreateUserInput {
  @Field(() => EmailAddressResolver)
  email!: string;

  @Field(() => String)
  password!: string;

  @Field(() => String, { nullable: true })
  username?: string | null;

  @Field(() => [String], { nullable: true })
  roles?: string[] | null;

  @Field(() => JSONObjectResolver, { nullable: true })
  profile?: Record<string, unknown> | null;
}
