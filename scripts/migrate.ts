// `npm run migrate`: applies pending migrations to DATABASE_URL (or the embedded PostgreSQL) and exits.
import { loadConfig } from "../src/config.js";
import { createLogger } from "../src/logger.js";
import { openStore } from "../src/storage/open-store.js";

const config = loadConfig(process.env);
const log = createLogger({ level: config.logLevel, json: config.production });
const database = await openStore(config, log);
await database.close();
log.info(`migrations applied (${database.description})`);
