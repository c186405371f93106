import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from "type-graphql";
import { ADMIN_ROLE } from "../../auth/policies.js";
import { DEFAULT_SESSIONS_PAGE, MAX_SESSIONS_PAGE } from "../../auth/session-management.js";
import type { GraphQLContext } from "../context.js";
import { Session } from "../session/session.type.js";
import { CreateUserInput } from "./create-user.input.js";
import { User } from "./user.type.js";

/** The caller, users for administrators, and a user's sessions. */
@Resolver(() => User)
export class UserResolver {
  @Authorized()
  @Query(() => User, { description: "The calling user." })
  async me(@Ctx() ctx: GraphQLContext): Promise<User> {
    return (await ctx.principal()).user;
  }

  @Authorized(ADMIN_ROLE)
  @Query(() => User, { nullable: true, description: "A user by id (ADMIN)." })
  async user(@Arg("id", () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<User | null> {
    return ctx.auth.findUser(await ctx.principal(), { id });
  }

  @Authorized(ADMIN_ROLE)
  @Mutation(() => User, { description: "Custom user creation with roles and profile (ADMIN)." })
  async createUser(@Arg("input", () => CreateUserInput) input: CreateUserInput, @Ctx() ctx: GraphQLContext): Promise<User> {
    return ctx.auth.createUser(await ctx.principal(), input, ctx.client);
  }

  @FieldResolver(() => [Session], {
    description: "The ACTIVE sessions first, then the ended ones, each newest first (the user themself and ADMIN). Page with `after`.",
  })
  async sessions(
    @Root() user: User,
    @Arg("limit", () => Int, { defaultValue: DEFAULT_SESSIONS_PAGE, description: `1 to ${MAX_SESSIONS_PAGE}.` }) limit: number,
    @Arg("after", () => ID, { nullable: true, description: "The id of the last session of the previous page." }) after: string | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Session[]> {
    return ctx.auth.listSessions(await ctx.principal(), user.id, { limit, after });
  }
}
