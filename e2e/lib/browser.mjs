// Launches Debian's Chromium through playwright-core. A missing browser is an
// error, never a skip: a browser test that did not run must not look green.
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { lowContrast } from './contrast.mjs';

export const CHROMIUM = process.env.CHROMIUM_BIN || '/usr/bin/chromium';
export const ARTIFACTS = join(dirname(fileURLToPath(import.meta.url)), '..', 'artifacts');

export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

export async function launch() {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium is missing at ${CHROMIUM}: install it with "apt-get install -y chromium" (or set CHROMIUM_BIN).`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-quic',
      '--no-first-run',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * A fresh browser context (own cookies and storage), as a different person on their own device;
 * timezoneId puts that device's clock in another zone.
 */
export async function newPerson(browser, baseURL, viewport = DESKTOP, { timezoneId = 'Europe/London' } = {}) {
  const context = await browser.newContext({ baseURL, viewport, locale: 'en-GB', timezoneId });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console error: ${msg.text()}`);
  });
  return { context, page, problems };
}

/**
 * Keeps a full-page screenshot in the artifacts, and checks the page's text
 * contrast while it is there (lib/contrast.mjs): every page a test looks at,
 * at desktop and phone widths, is held to WCAG AA. The shot is kept first,
 * so a failure can be looked at.
 */
export async function screenshot(page, name) {
  mkdirSync(ARTIFACTS, { recursive: true });
  // A full-page shot of a scrolled page draws the fixed header half-way down.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
  const low = await lowContrast(page);
  if (low.length) {
    throw new Error(`${name}: text below WCAG AA contrast:\n${low.map((x) => `  ${JSON.stringify(x)}`).join('\n')}`);
  }
}

/** Signs a person in through the login page, as they would. */
export async function signIn(page, { email, password }) {
  await page.goto('/login');
  await page.getByLabel('Email').fill(email);
  await page.getByRole('textbox', { name: 'Password' }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}
