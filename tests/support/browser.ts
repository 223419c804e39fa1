/**
 * The browser tests' tools: a fresh production build of web/ and Debian's Chromium driven by
 * playwright-core (browser downloads are not possible here; .ci/run installs the chromium package).
 */
import AxeBuilder from "@axe-core/playwright";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { expect } from "vitest";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

/** A production build of the app as it is now, in a folder of its own (for WEB_ROOT); `remove` deletes it. */
export function buildWebApp(): { root: string; remove: () => void } {
  if (!existsSync(CHROMIUM))
    throw new Error(`no Chromium at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  const root = mkdtempSync(join(tmpdir(), "qc-web-e2e-"));
  const build = spawnSync("npx", ["vite", "build", "--outDir", root, "--emptyOutDir", "--logLevel", "warn"], {
    cwd: join(ROOT, "web"),
    encoding: "utf8",
  });
  if (build.status !== 0) throw new Error(`web app build failed:\n${build.stdout}\n${build.stderr}`);
  return { root, remove: () => rmSync(root, { recursive: true, force: true }) };
}

export interface Browser {
  readonly context: BrowserContext;
  readonly page: Page;
  /** What the page reported as errors: script errors, blocked content (CSP); refused requests aside. */
  readonly pageErrors: string[];
  close(): Promise<void>;
}

/** Chromium with a profile of its own and one page, whose errors are collected. */
export async function launchBrowser(): Promise<Browser> {
  const userDataDir = mkdtempSync(join(tmpdir(), "qc-chromium-"));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_FLAGS,
    viewport: { width: 1280, height: 900 },
  });
  context.setDefaultTimeout(15_000);
  const page = context.pages()[0] ?? (await context.newPage());
  const pageErrors: string[] = [];
  page.on("pageerror", (err) => pageErrors.push(err.message));
  page.on("console", (msg) => {
    // The browser logs every 4xx/5xx answer as "Failed to load resource"; some are on purpose.
    if (msg.type() === "error" && !msg.text().startsWith("Failed to load resource")) pageErrors.push(msg.text());
  });
  return {
    context,
    page,
    pageErrors,
    close: async () => {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/** axe-core over the page as it is: no serious or critical violation. */
export async function expectAccessible(page: Page, what: string): Promise<void> {
  const { violations } = await new AxeBuilder({ page }).analyze();
  const serious = violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  expect(
    serious.map((v) => `${what}: ${v.id} (${v.impact}) ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`),
  ).toEqual([]);
}
