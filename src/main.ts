import { ConfigError, loadConfig } from "./config.js";
import { createApp } from "./app.js";
import { loadOrCreateDevSecret } from "./dev-secret.js";
import { createLogger } from "./logger.js";
import { openStore } from "./storage/open-store.js";

const FAILSAFE_EXTRA_MS = 5_000;

/** Start-up: config → database → API → listen; drains and stops the database on SIGINT/SIGTERM. */
async function main(): Promise<void> {
  const startedAt = performance.now();
  let config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
  const log = createLogger({ level: config.logLevel, json: config.production });

  let jwtSecret = config.jwt.secret;
  if (jwtSecret === undefined) {
    const dev = await loadOrCreateDevSecret(config.dataDir);
    jwtSecret = dev.secret;
    log.warn(`JWT_SECRET is not set: using a development secret ${dev.created ? "generated now and " : ""}kept in ${config.dataDir}/jwt-secret. Set JWT_SECRET in production.`);
  }

  const database = await openStore(config, log);
  const app = await createApp({ config, jwtSecret, store: database.store, rateLimiters: database.rateLimiters, sessionFeed: database.sessionFeed, log });
  await new Promise<void>((resolve, reject) => {
    app.server.http.once("error", reject);
    app.server.http.listen(config.port, config.host, resolve);
  });
  const shownHost = config.host === "0.0.0.0" || config.host === "::" ? "localhost" : config.host;
  log.info(`API ready at http://${shownHost}:${config.port}/graphql (${database.description}) in ${Math.round(performance.now() - startedAt)} ms`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    const deadlineMs = config.http.shutdownTimeoutMs;
    log.info(`${signal} received: finishing requests in flight (at most ${deadlineMs / 1000} s), then stopping`);
    // the HTTP drain is bounded by the deadline; this bounds what follows it (a database that does not answer)
    setTimeout(() => {
      log.error("shutdown did not finish in time; exiting anyway");
      process.exit(1);
    }, deadlineMs + FAILSAFE_EXTRA_MS).unref();
    try {
      await app.close();
      log.debug("API stopped");
      await database.close();
      log.info("stopped cleanly");
      process.exit(0);
    } catch (error) {
      log.error("error while stopping", { error });
      process.exit(1);
    }
  };
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));
}

main().catch((error: unknown) => {
  process.stderr.write(`Failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
