/** Measures how many argon2id hashes per second this machine computes with the configured parameters. */
import argon2 from "argon2";
import { randomBytes } from "node:crypto";

/** Hashes for `seconds` with `concurrency` hashes in flight (as the API's limit allows); returns hashes/s. */
export async function measureArgon2Rate(
  params: { memoryKiB: number; iterations: number; parallelism: number },
  concurrency: number,
  seconds: number,
): Promise<{ hashesPerSecond: number; msPerHash: number; hashes: number }> {
  const options = { type: argon2.argon2id, memoryCost: params.memoryKiB, timeCost: params.iterations, parallelism: params.parallelism } as const;
  await argon2.hash("warm-up password 0123456789", options);
  let hashes = 0;
  let busyMs = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const worker = async () => {
    while (performance.now() < deadline) {
      const t0 = performance.now();
      await argon2.hash(randomBytes(18).toString("base64"), options);
      busyMs += performance.now() - t0;
      hashes++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = (performance.now() - started) / 1000;
  return { hashesPerSecond: hashes / elapsed, msPerHash: busyMs / hashes, hashes };
}
