/**
 * Headless Chromium for the console suites: Debian's `chromium` package
 * driven by playwright-core (no browser download). chromiumOrSkip() decides
 * at collection time, as dockerOrSkip() does: no browser gives a visible
 * skip note, except in CI (CI=true), where it fails the suite.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { repoRoot } from './repo-paths';

const CANDIDATES = [process.env.SHOAL_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter((p): p is string => Boolean(p));

/** Where the test run writes its screenshots of the consoles. */
export const SCREENSHOT_DIR = process.env.SHOAL_SCREENSHOT_DIR ?? join(repoRoot, 'test-output', 'screenshots');

export function chromiumOrSkip(suite: string): string | null {
  const found = CANDIDATES.find((path) => existsSync(path));
  if (found) return found;
  const message = `no Chromium at ${CANDIDATES.join(' or ')}; install Debian's package with \`sudo apt-get install chromium\` or set SHOAL_CHROMIUM`;
  if (process.env.CI === 'true') throw new Error(`${suite}: ${message}. CI needs it (.ci/run installs it).`);
  console.warn(`SKIPPING ${suite}: ${message}`);
  return null;
}

export function launchChromium(executablePath: string): Promise<Browser> {
  // Chromium's own sandbox cannot start as root (CI runs as root); the pages are the project's own.
  const args = process.getuid?.() === 0 ? ['--no-sandbox'] : [];
  return chromium.launch({ executablePath, headless: true, args });
}

/** A fresh page at 1280×800 (the README's screenshots), logged in as `user`. */
export async function openConsole(browser: Browser, url: string, user: string, password: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await page.goto(url);
  await page.getByTestId('login-user').fill(user);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('console-title').waitFor();
  await page.getByTestId('live-status').filter({ hasText: /^live$/ }).waitFor();
  return page;
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
