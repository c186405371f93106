/**
 * The benchmark's baseline: the API's own HTTP server and Apollo Server 5 stack (createApiServer: same
 * schema, plugins, validation, error formatting, context and loaders) with the database taken out. Its
 * `authenticate` verifies the access token exactly as the API does (same KeyObject, same jsonwebtoken verify)
 * and answers `me` from the token's claims, so API / baseline is what the per-request session check costs.
 * Not part of the product.
 */
import { createAccessTokenKey, verifyAccessToken, type AccessTokenSettings } from "../src/auth/access-tokens.js";
import type { Auth } from "../src/auth/auth.js";
import type { Principal } from "../src/auth/principal.js";
import { loadConfig } from "../src/config.js";
import { createSchema } from "../src/graphql/schema.js";
import { createApiServer } from "../src/http/server.js";
import { silentLogger } from "../src/logger.js";
import type { Store } from "../src/auth/ports/store.js";

const config = loadConfig(process.env);
const secret = config.jwt.secret;
if (secret === undefined) throw new Error("baseline: JWT_SECRET is required");
const settings: AccessTokenSettings = {
  key: createAccessTokenKey(secret),
  issuer: config.jwt.issuer,
  audience: config.jwt.audience,
  ttlSeconds: config.jwt.accessTtlSeconds,
};

/** The caller as far as the token tells: no session or user is read. */
function principalFromClaims(token: string): Principal {
  const now = new Date();
  const claims = verifyAccessToken(settings, token, now);
  return {
    user: {
      id: claims.userId,
      email: "claims@example.com",
      username: null,
      passwordHash: "",
      roles: [],
      profile: {},
      disabledAt: null,
      emailVerifiedAt: null,
      securityStamp: "",
      createdAt: now,
    },
    session: {
      id: claims.sessionId,
      userId: claims.userId,
      status: "ACTIVE",
      createdAt: now,
      lastUsedAt: now,
      expiresAt: claims.expiresAt,
      endedAt: null,
      userAgent: null,
      ipAddress: null,
    },
  };
}

// Only what `me` reaches: authenticate (the lookup it is given is never called) and a store nobody queries.
const auth = { authenticate: async (accessToken: string) => principalFromClaims(accessToken) } as unknown as Auth;
const store = { ping: async () => undefined, getSessionsWithUsers: async () => [] } as unknown as Store;

const server = await createApiServer({ config, schema: await createSchema(), auth, store, log: silentLogger });
server.http.listen(config.port, config.host, () => process.stdout.write(`baseline ready on ${config.host}:${config.port}\n`));

const stop = () => {
  void server.close().finally(() => process.exit(0));
  setTimeout(() => process.exit(0), 3_000).unref();
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
