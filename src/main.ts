import { ConfigError } from "./config.js";
import { startServer } from "./server.js";

const FAILSAFE_EXTRA_MS = 5_000;

/** `npm start`: starts the standalone server; drains it and stops the database on SIGINT/SIGTERM. */
async function main(): Promise<void> {
  let server;
  try {
    server = await startServer(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
  const { config, log } = server;

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
      await server.close();
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
