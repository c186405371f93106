import { Field, ObjectType } from "type-graphql";

/** What startTotpEnrollment returns: enough for an authenticator app (QR code of the URL, or the secret typed in). */
@ObjectType({ description: "A new TOTP secret, not active until confirmTotpEnrollment gets a code of it." })
export class TotpEnrollment {
  @Field(() => String, { description: "The secret in base32 (160 bits)." })
  secret!: string;

  @Field(() => String, { description: "The otpauth://totp/… URL of the secret, for a QR code." })
  otpauthUrl!: string;
}
