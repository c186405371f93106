import { DateTimeResolver, JWTResolver } from "graphql-scalars";
import { Field, ObjectType } from "type-graphql";
import { Session } from "../session/session.type.js";
import { User } from "../user/user.type.js";

/** What signUp, login and renewToken return. */
@ObjectType({ description: "Tokens for a session, with its user." })
export class AuthPayload {
  @Field(() => JWTResolver, { description: "Short-lived; send as `Authorization: Bearer <accessToken>`." })
  accessToken!: string;

  @Field(() => DateTimeResolver)
  accessTokenExpiresAt!: Date;

  @Field(() => String, { description: "Opaque; exchange it with renewToken. Each one works once." })
  refreshToken!: string;

  @Field(() => DateTimeResolver)
  refreshTokenExpiresAt!: Date;

  @Field(() => User)
  user!: User;

  @Field(() => Session)
  session!: Session;
}
