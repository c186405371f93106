import { randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { newTotpKey, parseTotpKey } from "./auth/totp.js";

/** Outside production only: the JWT secret generated at first start and kept in the data folder. */
export async function loadOrCreateDevSecret(dataDir: string): Promise<{ secret: string; created: boolean }> {
  const file = join(dataDir, "jwt-secret");
  try {
    const secret = (await readFile(file, "utf8")).trim();
    if (secret.length >= 43) return { secret, created: false };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  const secret = randomBytes(48).toString("base64url");
  // the folder stays traversable: as root, the embedded PostgreSQL runs as another user inside it
  await mkdir(dataDir, { recursive: true });
  await writeFile(file, `${secret}\n`, { mode: 0o600 });
  return { secret, created: true };
}

/** Outside production only: the TOTP encryption key generated at first start and kept in the data folder. */
export async function loadOrCreateDevTotpKey(dataDir: string): Promise<{ key: Buffer; created: boolean }> {
  const file = join(dataDir, "totp-key");
  try {
    const key = parseTotpKey(await readFile(file, "utf8"));
    if (key) return { key, created: false };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  const key = newTotpKey();
  await mkdir(dataDir, { recursive: true });
  // never overwrite: a key that does not parse may still be the one the stored secrets were sealed with
  await writeFile(file, `${key.toString("base64")}\n`, { mode: 0o600, flag: "wx" });
  return { key, created: true };
}
