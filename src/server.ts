import { createApp, type App } from "./app.js";
import { loadConfig, type Config } from "./config.js";
import { loadOrCreateDevSecret, loadOrCreateDevTotpKey } from "./dev-secret.js";
import { createLogger, type Logger } from "./logger.js";
import { checkUnsafeSettings } from "./production-safety.js";
import { openStore } from "./storage/open-store.js";

export { createApp, type App } from "./app.js";

/** The standalone API, listening: its address, and one call that drains it and stops its database. */
export interface StandaloneServer {
  /** `http://host:port/graphql`. */
  url: string;
  app: App;
  config: Config;
  log: Logger;
  /** Serves the requests in flight (up to SHUTDOWN_TIMEOUT), then closes the database (and an embedded PostgreSQL). */
  close(): Promise<void>;
}

/**
 * Starts the standalone server as `npm start` does: configuration from `env` (README's table), the database
 * (an embedded PostgreSQL when DATABASE_URL is unset; migrated), /graphql, /oauth2/introspect, /healthz and /readyz.
 * Throws ConfigError listing every bad variable.
 */
export async function startServer(env: Readonly<Record<string, string | undefined>> = process.env): Promise<StandaloneServer> {
  const startedAt = performance.now();
  const config = loadConfig(env);
  const log = createLogger({ level: config.logLevel, json: config.production });
  checkUnsafeSettings(config, log);

  let jwtSecret = config.jwt.secret;
  if (jwtSecret === undefined) {
    const dev = await loadOrCreateDevSecret(config.dataDir);
    jwtSecret = dev.secret;
    log.warn(
      `JWT_SECRET is not set: using a development secret ${dev.created ? "generated now and " : ""}kept in ${config.dataDir}/jwt-secret. Set JWT_SECRET in production.`,
    );
  }

  let totpKey: Buffer | undefined;
  if (config.mfa.encryptionKey === undefined) {
    const dev = await loadOrCreateDevTotpKey(config.dataDir);
    totpKey = dev.key;
    log.warn(
      `TOTP_ENCRYPTION_KEY is not set: using a development key ${dev.created ? "generated now and " : ""}kept in ${config.dataDir}/totp-key. Set TOTP_ENCRYPTION_KEY in production.`,
    );
  }

  const database = await openStore(config, log);
  let app: App;
  try {
    app = await createApp({ config, jwtSecret, totpKey, store: database.store, rateLimiters: database.rateLimiters, sessionFeed: database.sessionFeed, log });
    await new Promise<void>((resolve, reject) => {
      app.server.http.once("error", reject);
      app.server.http.listen(config.port, config.host, resolve);
    });
  } catch (error) {
    await database.close();
    throw error;
  }
  const address = app.server.http.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  const shownHost = config.host === "0.0.0.0" || config.host === "::" ? "localhost" : config.host;
  const url = `http://${shownHost}:${port}/graphql`;
  log.info(`API ready at ${url} (${database.description}) in ${Math.round(performance.now() - startedAt)} ms`);
  return {
    url,
    app,
    config,
    log,
    async close() {
      await app.close();
      log.debug("API stopped");
      await database.close();
    },
  };
}
