import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { inject } from 'vitest';

/**
 * Debian's chromium (CHROMIUM_PATH, else /usr/bin/chromium; test/global-setup.ts installs it with
 * apt-get when it can), driven by playwright-core. Playwright's own browser download is not
 * reachable from these machines, so the system binary it is.
 */

export const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Where browser tests keep their screenshots (git-ignored). */
export const screenshotDir = path.resolve('test-output/web-ui');

/** Fails with the one line that says what to install when the setup found no chromium and could not install it. */
export async function launchChromium(): Promise<Browser> {
  const found = inject('chromium');
  if (!found.ok) throw new Error(found.problem);
  return chromium.launch({ executablePath: found.path, args: chromiumArgs });
}

/** A full-page screenshot as test-output/web-ui/<name>.png; returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(screenshotDir, { recursive: true });
  const file = path.join(screenshotDir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
