import { randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";

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
  await writeFile(file, secret + "\n", { mode: 0o600 });
  return { secret, created: true };
}
