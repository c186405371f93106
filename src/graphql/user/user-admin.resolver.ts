import { Arg, Authorized, Ctx, ID, Mutation, Resolver } from "type-graphql";
import { ADMIN_ROLE } from "../../auth/policies.js";
import type { GraphQLContext } from "../context.js";
import { User } from "./user.type.js";

/** Administrators' user lifecycle: disabling, enabling, deleting. */
@Resolver(() => User)
export class UserAdminResolver {
  @Authorized(ADMIN_ROLE)
  @Mutation(() => User, { description: "Disables a user and revokes all their sessions at once (ADMIN)." })
  async disableUser(@Arg("id", () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<User> {
    return ctx.auth.disableUser(await ctx.principal(), id, ctx.client);
  }

  @Authorized(ADMIN_ROLE)
  @Mutation(() => User, { description: "Lets a disabled user log in again; their ended sessions stay ended (ADMIN)." })
  async enableUser(@Arg("id", () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<User> {
    return ctx.auth.enableUser(await ctx.principal(), id, ctx.client);
  }

  @Authorized(ADMIN_ROLE)
  @Mutation(() => Boolean, { description: "Deletes a user with all their sessions; false when there was no such user. Audit events stay (ADMIN)." })
  async deleteUser(@Arg("id", () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<boolean> {
    return ctx.auth.deleteUser(await ctx.principal(), id, ctx.client);
  }
}
