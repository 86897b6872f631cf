import { existsSync } from 'node:fs';
import { chromium as playwright, type Browser } from 'playwright-core';

/**
 * The Chromium that browser tests drive: Debian's when it is installed, otherwise the one packed
 * inside the `@sparticuz/chromium` devDependency, so a fresh clone needs nothing installed by hand
 * (and never `npx playwright install`, which downloads and cannot work here).
 */

export const DEBIAN_CHROMIUM = '/usr/bin/chromium';

/** Quiet and offline: a test browser must not phone home or update itself mid-run. */
const TEST_ARGS = ['--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'];

/**
 * The packed browser's defaults are tuned for AWS Lambda. Dropped: those that would weaken the very
 * page security our tests check (the console's sandboxed mail frame); --single-process, with which
 * Chromium exits when a test closes its last browser context; headless, which playwright sets itself.
 */
const DROPPED_PACKED_ARGS = [
  /^--disable-web-security$/,
  /^--allow-running-insecure-content$/,
  /^--disable-site-isolation-trials$/,
  /^--single-process$/,
  /^--headless(=|$)/,
];

export interface BrowserChoice {
  source: 'debian' | 'packaged';
  executablePath: string;
  args: string[];
}

export interface PackedChromium {
  executablePath(): Promise<string>;
  args: string[];
}

export interface BrowserChoiceDeps {
  exists(path: string): boolean;
  /** Loaded only when Debian's is missing: extracting the packed binary takes a few seconds. */
  packed(): Promise<PackedChromium>;
}

const realDeps: BrowserChoiceDeps = {
  exists: existsSync,
  packed: async () => (await import('@sparticuz/chromium')).default,
};

export async function chooseBrowser(deps: BrowserChoiceDeps = realDeps): Promise<BrowserChoice> {
  if (deps.exists(DEBIAN_CHROMIUM)) {
    return { source: 'debian', executablePath: DEBIAN_CHROMIUM, args: ['--no-sandbox', '--disable-gpu', ...TEST_ARGS] };
  }
  const packed = await deps.packed();
  const executablePath = await packed.executablePath();
  const args = packed.args.filter((arg) => !DROPPED_PACKED_ARGS.some((dropped) => dropped.test(arg)));
  return { source: 'packaged', executablePath, args: [...args, ...TEST_ARGS] };
}

/** A headless Chromium for a test; close it in afterAll. */
export async function launchTestBrowser(): Promise<Browser> {
  const choice = await chooseBrowser();
  return playwright.launch({ executablePath: choice.executablePath, headless: true, args: choice.args });
}
