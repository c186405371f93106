/**
 * MongoDB connection strings. They may list several hosts (`mongodb://a:27017,b:27017/db?replicaSet=rs0`),
 * which WHATWG `URL` cannot parse, so these helpers work on the string itself.
 */

interface MongoUrlParts {
  /** `mongodb://` or `mongodb+srv://`, with any credentials and the host list. */
  prefix: string;
  database: string;
  query: URLSearchParams;
}

function splitMongoUrl(url: string): MongoUrlParts {
  const match = /^(mongodb(?:\+srv)?:\/\/[^/?#]+)(?:\/([^?#]*))?(?:\?([^#]*))?$/i.exec(url);
  if (match === null) throw new Error("not a mongodb:// or mongodb+srv:// URL");
  return { prefix: match[1]!, database: decodeURIComponent(match[2] ?? ""), query: new URLSearchParams(match[3] ?? "") };
}

function joinMongoUrl({ prefix, database, query }: MongoUrlParts): string {
  const search = query.toString();
  return `${prefix}/${encodeURIComponent(database)}${search === "" ? "" : `?${search}`}`;
}

/** The database named in the URL's path ("" when none). */
export function mongoDatabaseName(url: string): string {
  return splitMongoUrl(url).database;
}

/** The same URL pointing at another database of the same deployment. */
export function withMongoDatabase(url: string, database: string): string {
  return joinMongoUrl({ ...splitMongoUrl(url), database });
}

/**
 * Adds connection options the store relies on unless the URL already sets them: the pool size, and timeouts
 * short enough that an unreachable database is reported (503) rather than waited on for the driver's 30 s.
 */
export function withConnectionDefaults(url: string, options: { maxPoolSize: number; timeoutMs: number }): string {
  const parts = splitMongoUrl(url);
  const defaults: Record<string, string> = {
    maxPoolSize: String(options.maxPoolSize),
    serverSelectionTimeoutMS: String(options.timeoutMs),
    connectTimeoutMS: String(options.timeoutMs),
  };
  for (const [name, value] of Object.entries(defaults)) {
    const present = [...parts.query.keys()].some((key) => key.toLowerCase() === name.toLowerCase());
    if (!present) parts.query.set(name, value);
  }
  return joinMongoUrl(parts);
}

/** The URL without its password, for logs. */
export function redactMongoUrl(url: string): string {
  return url.replace(/^(mongodb(?:\+srv)?:\/\/[^:@/]*):[^@/]*@/i, "$1:***@");
}
