import { Arg, Authorized, Ctx, FieldResolver, ID, Mutation, Resolver, Root } from "type-graphql";
import { ADMIN_ROLE } from "../../auth/policies.js";
import { AuthPayload } from "../account/auth-payload.type.js";
import { issued } from "../account/account.resolver.js";
import type { GraphQLContext } from "../context.js";
import { Public } from "../guards/code-first.js";
import { User } from "../user/user.type.js";
import { TotpEnrollment } from "./totp-enrollment.type.js";

/** The second factor: TOTP enrollment, the second step of login, and administrators' reset. */
@Resolver(() => User)
export class MfaResolver {
  @Authorized()
  @Mutation(() => TotpEnrollment, { description: "A new TOTP secret for the caller; not active until confirmTotpEnrollment." })
  async startTotpEnrollment(@Ctx() ctx: GraphQLContext): Promise<TotpEnrollment> {
    return ctx.auth.startTotpEnrollment(await ctx.principal(), ctx.client);
  }

  @Authorized()
  @Mutation(() => [String], {
    description: "Turns TOTP on with a current code; returns 10 single-use recovery codes, shown only this once. Ends the caller's other sessions.",
  })
  async confirmTotpEnrollment(@Arg("code", () => String) code: string, @Ctx() ctx: GraphQLContext): Promise<string[]> {
    return ctx.auth.confirmTotpEnrollment(await ctx.principal(), code, ctx.client);
  }

  @Authorized()
  @Mutation(() => Boolean, { description: "Turns TOTP off with a current TOTP or a recovery code. Ends the caller's other sessions." })
  async disableTotp(@Arg("code", () => String) code: string, @Ctx() ctx: GraphQLContext): Promise<boolean> {
    await ctx.auth.disableTotp(await ctx.principal(), code, ctx.client);
    return true;
  }

  @Public()
  @Mutation(() => AuthPayload, { description: "Login's second step: the mfaToken of MFA_REQUIRED and a TOTP or recovery code." })
  completeMfaLogin(@Arg("mfaToken", () => String) mfaToken: string, @Arg("code", () => String) code: string, @Ctx() ctx: GraphQLContext): Promise<AuthPayload> {
    return issued(ctx, ctx.auth.completeMfaLogin({ mfaToken, code }, ctx.client));
  }

  @Authorized(ADMIN_ROLE)
  @Mutation(() => Boolean, {
    description: "Turns a user's TOTP off and ends their sessions, for a user who lost their device (ADMIN, audited); false when it was off.",
  })
  async resetUserMfa(@Arg("userId", () => ID) userId: string, @Ctx() ctx: GraphQLContext): Promise<boolean> {
    return ctx.auth.resetMfa(await ctx.principal(), userId, ctx.client);
  }

  @FieldResolver(() => Boolean, { description: "Whether sign-in asks for a TOTP code." })
  mfaEnabled(@Root() user: User, @Ctx() ctx: GraphQLContext): Promise<boolean> {
    return ctx.auth.isMfaEnabled(user.id);
  }
}
