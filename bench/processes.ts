/** Child processes, ports and clean-up for the benchmark: nothing is left running or on disk, even on Ctrl-C. */
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { createServer } from "node:net";

type Cleanup = () => Promise<void> | void;
const cleanups: Cleanup[] = [];
let cleaning: Promise<void> | undefined;

/** Registers work to undo at exit; undone in reverse order. */
export function onCleanup(cleanup: Cleanup): void {
  cleanups.push(cleanup);
}

/** True once clean-up has begun (output from stopping processes is then noise). */
export function isCleaningUp(): boolean {
  return cleaning !== undefined;
}

/** Runs every registered clean-up once (later calls wait for the first). */
export function cleanUp(): Promise<void> {
  cleaning ??= (async () => {
    for (const cleanup of cleanups.reverse()) {
      try {
        await cleanup();
      } catch (error) {
        process.stderr.write(`bench: clean-up step failed: ${error instanceof Error ? error.message : String(error)}\n`);
      }
    }
  })();
  return cleaning;
}

/** Cleans up on Ctrl-C, SIGTERM and crashes, then exits with a fitting code. */
export function installExitHandlers(): void {
  const bail = (code: number) => () => {
    process.stderr.write("\nbench: stopping, cleaning up…\n");
    void cleanUp().finally(() => process.exit(code));
  };
  process.once("SIGINT", bail(130));
  process.once("SIGTERM", bail(143));
  process.once("SIGHUP", bail(129));
  process.on("uncaughtException", (error) => {
    process.stderr.write(`bench: ${error.stack ?? error.message}\n`);
    bail(1)();
  });
}

/** A free TCP port on 127.0.0.1 (free when asked; the child binds it right after). */
export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.on("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() => (address !== null && typeof address === "object" ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

/** A Node child started by the benchmark; its output goes to `logFile`. */
export interface NodeChild {
  name: string;
  process: ChildProcess;
  logFile: string;
  /** Rejects if the process exits before stop() was called. */
  exited: Promise<never>;
  stop(): Promise<void>;
}

/** Starts `node <script>` (through tsx for a .ts script) with `env`, logging to `logFile`; stopped by the clean-up. */
export function startNodeChild(options: { name: string; script: string; env: NodeJS.ProcessEnv; logFile: string; nodeArgs?: string[] }): NodeChild {
  const log = createWriteStream(options.logFile);
  const loader = options.script.endsWith(".ts") ? ["--import", "tsx"] : [];
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), ...loader, options.script], {
    env: options.env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  let stopping = false;
  const exited = new Promise<never>((_, reject) => {
    child.once("exit", (code, signal) => {
      if (!stopping) reject(new Error(`${options.name} exited unexpectedly (code ${code}, signal ${signal}); see ${options.logFile}`));
    });
  });
  exited.catch(() => undefined); // observed by whoever awaits it
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    stopping = true;
    const gone = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.kill("SIGTERM"); // graceful: the API drains and stops its database
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    await gone;
    clearTimeout(timer);
  };
  onCleanup(stop);
  return { name: options.name, process: child, logFile: options.logFile, exited, stop };
}

/** Waits until `url` answers 200 (to `init`, a GET by default), or throws (with the child's last log lines) when it exits or times out. */
export async function waitUntilReady(child: NodeChild, url: string, init: RequestInit = {}, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const poll = async (): Promise<void> => {
    while (Date.now() < deadline) {
      try {
        const response = await fetch(url, { ...init, signal: AbortSignal.timeout(2_000) });
        if (response.ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(`${child.name} not ready at ${url} after ${timeoutMs} ms`);
  };
  try {
    await Promise.race([poll(), child.exited]);
  } catch (error) {
    const tail = await readFile(child.logFile, "utf8").then(
      (text) => text.split("\n").slice(-20).join("\n"),
      () => "",
    );
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n--- last lines of ${child.logFile} ---\n${tail}`);
  }
}

/** CPU time (user + system, ms) used so far by `pid` and, when `withChildren`, its child processes, live or exited (Linux /proc; null elsewhere). */
export async function cpuTimeMs(pid: number, withChildren = false): Promise<number | null> {
  const ticksPerMs = 100 / 1000; // USER_HZ is 100 on Linux
  const read = async (id: number): Promise<{ ppid: number; ms: number; reapedChildrenMs: number } | null> => {
    try {
      const stat = await readFile(`/proc/${id}/stat`, "utf8");
      // fields from the 3rd (state): ppid is the 4th, utime/stime the 14th/15th, cutime/cstime the 16th/17th
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      return {
        ppid: Number(fields[1]),
        ms: (Number(fields[11]) + Number(fields[12])) / ticksPerMs,
        reapedChildrenMs: (Number(fields[13]) + Number(fields[14])) / ticksPerMs,
      };
    } catch {
      return null;
    }
  };
  const own = await read(pid);
  if (own === null) return null;
  if (!withChildren) return own.ms;
  let total = own.ms + own.reapedChildrenMs; // children that exited (closed connections) still count
  const ids = await readdir("/proc").catch(() => [] as string[]);
  for (const entry of ids) {
    if (!/^\d+$/.test(entry)) continue;
    const child = await read(Number(entry));
    if (child?.ppid === pid) total += child.ms;
  }
  return total;
}
