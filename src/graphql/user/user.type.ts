import { DateTimeResolver, JSONObjectResolver } from "graphql-scalars";
import { EmailAddressScalar } from "../scalars.js";
import { Field, ID, ObjectType } from "type-graphql";

/** An account. The password hash is stored but never part of the schema. */
@ObjectType({ description: "An account." })
export class User {
  @Field(() => ID)
  id!: string;

  @Field(() => EmailAddressScalar)
  email!: string;

  @Field(() => String, { nullable: true })
  username!: string | null;

  @Field(() => [String])
  roles!: string[];

  @Field(() => JSONObjectResolver, { description: "The custom fields chosen at creation." })
  profile!: Record<string, unknown>;

  @Field(() => DateTimeResolver)
  createdAt!: Date;

  @Field(() => DateTimeResolver, { nullable: true, description: "When an administrator disabled the account; null while it is enabled." })
  disabledAt!: Date | null;

  /** Not in the schema: `emailVerified` (RecoveryResolver) is derived from it. */
  emailVerifiedAt?: Date | null;

  // `sessions` (UserResolver) and `auditEvents` (AuditEventResolver) are for the user themself and ADMIN
}
