import { DateTimeResolver } from "graphql-scalars";
import { Field, ID, ObjectType, registerEnumType } from "type-graphql";
import type { SessionStatus as StoredSessionStatus } from "../../auth/ports/store.js";

/** Where a session stands; mirrors the stored status. */
export enum SessionStatus {
  // the values are the stored statuses, so records pass through unchanged
  ACTIVE = "ACTIVE",
  LOGGED_OUT = "LOGGED_OUT",
  REVOKED = "REVOKED",
  REPLACED = "REPLACED",
  EXPIRED = "EXPIRED",
}
registerEnumType(SessionStatus, { name: "SessionStatus", description: "Where a session stands." });

/** One device's login, as its owner and administrators see it. */
@ObjectType({ description: "A login session: one device's right to renew tokens." })
export class Session {
  @Field(() => ID)
  id!: string;

  @Field(() => SessionStatus)
  status!: StoredSessionStatus;

  // `current` is resolved by SessionResolver from the calling token

  @Field(() => DateTimeResolver)
  createdAt!: Date;

  @Field(() => DateTimeResolver, { description: "Updated at most about once a minute." })
  lastUsedAt!: Date;

  @Field(() => DateTimeResolver)
  expiresAt!: Date;

  @Field(() => String, { nullable: true })
  userAgent!: string | null;

  @Field(() => String, { nullable: true })
  ipAddress!: string | null;
}
