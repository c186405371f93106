import { EmailAddressScalar } from "../scalars.js";
import { Arg, Args, Authorized, Ctx, FieldResolver, Mutation, Resolver, Root } from "type-graphql";
import type { GraphQLContext } from "../context.js";
import { Public } from "../guards/code-first.js";
import { User } from "../user/user.type.js";
import { RequestEmailChangeArgs } from "./request-email-change.args.js";
import { ResetPasswordArgs } from "./reset-password.args.js";

/** Account recovery and email: forgot password, verification, email change (mail goes through the outbox). */
@Resolver(() => User)
export class RecoveryResolver {
  @Public()
  @Mutation(() => Boolean, { description: "Mails a reset link if the address has an account; always true, in the same time either way." })
  async requestPasswordReset(@Arg("email", () => EmailAddressScalar) email: string, @Ctx() ctx: GraphQLContext): Promise<boolean> {
    await ctx.auth.requestPasswordReset(email, ctx.client);
    return true;
  }

  @Public()
  @Mutation(() => Boolean, { description: "Sets a new password with a reset token; ends every session of the user and does not log in." })
  async resetPassword(@Args(() => ResetPasswordArgs) args: ResetPasswordArgs, @Ctx() ctx: GraphQLContext): Promise<boolean> {
    await ctx.auth.resetPassword(args, ctx.client);
    return true;
  }

  @Authorized()
  @Mutation(() => Boolean, { description: "Mails the caller a link that verifies their email address." })
  async sendVerificationEmail(@Ctx() ctx: GraphQLContext): Promise<boolean> {
    await ctx.auth.sendVerificationEmail(await ctx.principal(), ctx.client);
    return true;
  }

  @Public()
  @Mutation(() => Boolean, { description: "Uses a verification or email-change token; the token alone names the account." })
  async verifyEmail(@Arg("token", () => String) token: string, @Ctx() ctx: GraphQLContext): Promise<boolean> {
    await ctx.auth.verifyEmail(token, ctx.client);
    return true;
  }

  @Authorized()
  @Mutation(() => Boolean, { description: "Mails a link to the new address; the email changes when that link is used." })
  async requestEmailChange(@Args(() => RequestEmailChangeArgs) args: RequestEmailChangeArgs, @Ctx() ctx: GraphQLContext): Promise<boolean> {
    await ctx.auth.requestEmailChange(await ctx.principal(), args, ctx.client);
    return true;
  }

  @FieldResolver(() => Boolean, { description: "Whether the account proved it receives mail at its address." })
  emailVerified(@Root() user: User): boolean {
    return user.emailVerifiedAt !== null && user.emailVerifiedAt !== undefined;
  }
}
