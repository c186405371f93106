/**
 * Database commands the store sends through Prisma's `$runCommandRaw`, built here as plain data so they can be
 * unit-tested without a server. Prisma reads them as MongoDB Extended JSON: a date is `{ $date: … }`.
 */

/** A JSON value as `$runCommandRaw` accepts it. */
export type RawValue = string | number | boolean | null | RawValue[] | { [key: string]: RawValue };
export type RawCommand = { [key: string]: RawValue };

/** A BSON date in canonical Extended JSON (milliseconds since the epoch, exact). */
export function ejsonDate(date: Date): RawCommand {
  return { $date: { $numberLong: String(date.getTime()) } };
}

/**
 * One `update` command that moves each session's `lastUsedAt` forward to the latest of its entries.
 * Each statement is a single-document conditional write (`lastUsedAt < t`), atomic on its own, so an older
 * time never overwrites a newer one whatever the interleaving. Returns null when there is nothing to write.
 */
export function touchSessionsCommand(entries: ReadonlyArray<{ sessionId: string; lastUsedAt: Date }>): RawCommand | null {
  const latest = new Map<string, Date>();
  for (const { sessionId, lastUsedAt } of entries) {
    const seen = latest.get(sessionId);
    if (seen === undefined || lastUsedAt > seen) latest.set(sessionId, lastUsedAt);
  }
  if (latest.size === 0) return null;
  return {
    update: "sessions",
    ordered: false,
    updates: [...latest].map(([id, at]) => ({
      q: { _id: id, lastUsedAt: { $lt: ejsonDate(at) } },
      u: { $set: { lastUsedAt: ejsonDate(at) } },
    })),
  };
}
