import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, readFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { promisify } from "node:util";
import { chromium, type Browser, type Page } from "playwright-core";

const run = promisify(execFile);
const repo = path.resolve(import.meta.dirname, "../../..");
const exampleDir = path.join(repo, "examples/web");

/** Debian's chromium (`.ci/run` installs it): playwright-core drives it, and never downloads a browser. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** Installs examples/web's dependencies when missing (a fresh clone) and builds it; returns the dist folder. */
export async function buildExample(): Promise<string> {
  if (!existsSync(path.join(exampleDir, "node_modules/vite"))) {
    await run("npm", ["ci", "--no-audit", "--no-fund"], { cwd: exampleDir, timeout: 300_000 });
  }
  const outDir = path.join(exampleDir, "dist");
  await run(process.execPath, [path.join(exampleDir, "node_modules/vite/bin/vite.js"), "build", "--logLevel", "error"], {
    cwd: exampleDir,
    timeout: 300_000,
  });
  return outDir;
}

const TYPES: Record<string, string> = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml" };

/** Serves a built app on 127.0.0.1 (an origin of its own, other than the API's); unknown paths get index.html. */
export async function serveStatic(root: string): Promise<{ origin: string; close(): Promise<void> }> {
  const server = createServer(async (req, res) => {
    const pathname = new URL(req.url ?? "/", "http://x").pathname;
    const file = path.join(root, path.normalize(pathname).replace(/^(\.\.[/\\])+/, ""));
    const target = file.startsWith(root) && path.extname(file) ? file : path.join(root, "index.html");
    try {
      const body = await readFile(target);
      res.writeHead(200, { "content-type": TYPES[path.extname(target)] ?? "application/octet-stream" }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Headless Chromium with the flags it needs as root and offline (see STACK-NOTES "Browsers"). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/** Where failing tests leave screenshots of every open page (gitignored). */
export const SCREENSHOTS = path.join(repo, "test/browser/screenshots");

/** Saves a full-page screenshot of each page, named after the test and its browser context. */
export async function screenshot(pages: Page[], name: string): Promise<void> {
  await mkdir(SCREENSHOTS, { recursive: true });
  const base = name.replace(/[^a-z0-9]+/gi, "-").slice(-100);
  await Promise.all(
    pages
      .filter((page) => !page.isClosed())
      .map((page, i) => page.screenshot({ path: path.join(SCREENSHOTS, `${base}-${i + 1}.png`), fullPage: true }).catch(() => undefined)),
  );
}
