import { DateTimeResolver } from "graphql-scalars";
import { Arg, Ctx, FieldResolver, Int, Resolver, Root } from "type-graphql";
import type { GraphQLContext } from "../context.js";
import { User } from "../user/user.type.js";
import { AuditEvent } from "./audit-event.type.js";

/** A user's audit events, for the user themself and ADMIN. */
@Resolver(() => User)
export class AuditEventResolver {
  @FieldResolver(() => [AuditEvent], { description: "Recent events of this account, newest first (the user themself and ADMIN). Page with `before`." })
  async auditEvents(
    @Root() user: User,
    @Arg("limit", () => Int, { defaultValue: 50, description: "1 to 200." }) limit: number,
    @Arg("before", () => DateTimeResolver, { nullable: true, description: "Only events older than this." }) before: Date | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<AuditEvent[]> {
    return ctx.auth.listAuditEvents(await ctx.principal(), user.id, { limit, before: before ?? null });
  }
}
