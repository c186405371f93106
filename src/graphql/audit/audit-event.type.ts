import { DateTimeResolver, JSONObjectResolver } from "graphql-scalars";
import { Field, ID, ObjectType, registerEnumType } from "type-graphql";
import { AUDIT_EVENT_TYPES, type AuditEventType } from "../../auth/audit-log.js";

/** Whether the recorded attempt succeeded. */
export enum AuditOutcome {
  SUCCESS = "SUCCESS",
  FAILURE = "FAILURE",
}
registerEnumType(AuditOutcome, { name: "AuditOutcome", description: "Whether the recorded attempt succeeded." });

/** The kinds of audit event, as a GraphQL enum built from the core's list. */
const AuditEventTypeEnum = Object.fromEntries(AUDIT_EVENT_TYPES.map((type) => [type, type])) as { [K in AuditEventType]: K };
registerEnumType(AuditEventTypeEnum, { name: "AuditEventType", description: "What happened to an account." });

/** One recorded event of an account: never a secret. */
@ObjectType({ description: "Something that happened to an account: a login, a logout, a revocation, an administrator's action…" })
export class AuditEvent {
  @Field(() => ID)
  id!: string;

  @Field(() => AuditEventTypeEnum)
  type!: string;

  @Field(() => AuditOutcome)
  outcome!: "SUCCESS" | "FAILURE";

  @Field(() => ID, { nullable: true, description: "The session concerned, when there is one." })
  sessionId!: string | null;

  @Field(() => ID, {
    nullable: true,
    description:
      'The administrator who acted, when not the user themself: for administrators only; the user sees `detail.actor: "administrator"`, and no address or user agent.',
  })
  actorId!: string | null;

  @Field(() => String, { nullable: true })
  ipAddress!: string | null;

  @Field(() => String, { nullable: true })
  userAgent!: string | null;

  @Field(() => JSONObjectResolver, { description: "Non-secret details, such as the reason of a failure." })
  detail!: Record<string, unknown>;

  @Field(() => DateTimeResolver)
  createdAt!: Date;
}
