import { Arg, Args, Authorized, Ctx, Mutation, Resolver } from "type-graphql";
import type { AuthResult } from "../../auth/principal.js";
import type { GraphQLContext } from "../context.js";
import { Public } from "../guards/code-first.js";
import { AuthPayload } from "./auth-payload.type.js";
import { ChangePasswordArgs } from "./change-password.args.js";
import { LoginInput } from "./login.input.js";
import { SignUpInput } from "./sign-up.input.js";

/** Signing up, logging in and out, renewing tokens, changing one's password. */
@Resolver()
export class AccountResolver {
  @Public()
  @Mutation(() => AuthPayload, { description: "Creates an account and starts its first session." })
  signUp(@Arg("input", () => SignUpInput) input: SignUpInput, @Ctx() ctx: GraphQLContext): Promise<AuthPayload> {
    return issued(ctx, ctx.auth.signUp(input, ctx.client));
  }

  @Public()
  @Mutation(() => AuthPayload, { description: "Starts a session; `login` is an email address or a username." })
  login(@Arg("input", () => LoginInput) input: LoginInput, @Ctx() ctx: GraphQLContext): Promise<AuthPayload> {
    return issued(ctx, ctx.auth.login(input, ctx.client));
  }

  @Public()
  @Mutation(() => AuthPayload, { description: "Exchanges a refresh token for new tokens; the old refresh token stops working." })
  renewToken(@Arg("refreshToken", () => String) refreshToken: string, @Ctx() ctx: GraphQLContext): Promise<AuthPayload> {
    return issued(ctx, ctx.auth.renew(refreshToken, ctx.client));
  }

  @Authorized()
  @Mutation(() => Boolean, { description: "Ends the calling session." })
  async logout(@Ctx() ctx: GraphQLContext): Promise<boolean> {
    await ctx.auth.logout(await ctx.principal(), ctx.client);
    return true;
  }

  @Authorized()
  @Mutation(() => Boolean, { description: "Changes the caller's password and revokes their other sessions." })
  async changePassword(@Args(() => ChangePasswordArgs) args: ChangePasswordArgs, @Ctx() ctx: GraphQLContext): Promise<boolean> {
    await ctx.auth.changePassword(await ctx.principal(), args, ctx.client);
    return true;
  }
}

/** A payload's fields resolve as seen by the session it issued: once state has changed, no selection may fail. */
export async function issued(ctx: GraphQLContext, result: Promise<AuthResult>): Promise<AuthPayload> {
  const payload = await result;
  ctx.actAs({ user: payload.user, session: payload.session });
  return payload;
}
