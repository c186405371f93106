import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Resolver, Root } from "type-graphql";
import { AuthError } from "../../auth/errors.js";
import type { GraphQLContext } from "../context.js";
import { Session } from "./session.type.js";

/** Revoking sessions, and the `current` flag. */
@Resolver(() => Session)
export class SessionResolver {
  @FieldResolver(() => Boolean, {
    description: "True for the session of the calling token, and for the session an AuthPayload just issued; false without a caller. Never fails.",
  })
  async current(@Root() session: Session, @Ctx() ctx: GraphQLContext): Promise<boolean> {
    const caller = await ctx.principal().catch((error: unknown) => {
      if (error instanceof AuthError) return null; // no valid caller: not the current session
      throw error;
    });
    return caller?.session.id === session.id;
  }

  @Authorized()
  @Mutation(() => Session, { description: "Ends one of your sessions (ADMIN: anyone's). An ended session is returned unchanged." })
  async revokeSession(@Arg("sessionId", () => ID) sessionId: string, @Ctx() ctx: GraphQLContext): Promise<Session> {
    return ctx.auth.revokeSession(await ctx.principal(), sessionId, ctx.client);
  }

  @Authorized()
  @Mutation(() => Int, { description: "Ends all your other sessions (and this one with includeCurrent); returns how many ended." })
  async revokeAllSessions(
    @Arg("includeCurrent", () => Boolean, { nullable: true, defaultValue: false }) includeCurrent: boolean | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<number> {
    return ctx.auth.revokeAllSessions(await ctx.principal(), includeCurrent ?? false, ctx.client);
  }
}
