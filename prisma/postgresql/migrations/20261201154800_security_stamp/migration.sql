-- A per-user security stamp (issue 19): changed by every password change or reset, disable and TOTP change, and
-- checked under the user's row lock before a login stores its session. Existing users each get their own value.
ALTER TABLE "users" ADD COLUMN "security_stamp" TEXT NOT NULL DEFAULT (gen_random_uuid())::text;
