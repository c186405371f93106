/**
 * Ids on MongoDB. Users and audit events have ObjectIds (24 hex digits) chosen by MongoDB; sessions and refresh
 * tokens keep the string ids the auth core chose. A string that is not an ObjectId can name no user, and
 * Prisma would reject it with a conversion error, so the store answers "not found" without asking.
 */
export function isObjectId(id: string): boolean {
  return /^[0-9a-f]{24}$/i.test(id);
}
