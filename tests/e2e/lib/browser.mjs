// A real browser for the control panel's end-to-end tests: Debian's chromium (/usr/bin/chromium,
// installed by scripts/setup) driven by playwright-core — no browser download at install time.
//
//   launchBrowser()                      -> a headless Chromium (a fresh temporary profile)
//   openPanel(browser, server, options)  -> { context, page, requests, problems, close() }
//       options: colorScheme ('light'|'dark'), viewport ({width, height}), reducedMotion.
//       `requests` records every request any page of the context makes (URL, method, headers,
//       body) for the tests that check what leaves the browser; `problems` collects console
//       errors, page errors and CSP violations (a correct page has none).
//   signIn(page, credentialsPath)        -> picks the file, presses "Sign in", waits for the frame
//   runAxe(page)                         -> axe-core violations of impact serious or critical
//   screenshot(page, name)               -> PNG into VOXSECRETS_PANEL_SCREENSHOTS (e.g. docs/panel,
//                                           to refresh the committed pictures) or a temp dir
//   waitForText(locator, text, {secret}) -> polls until the locator's text contains `text`
//                                           ({secret: true}: a failure does not print either)
//
// The browser is started with the flags that keep it quiet on a closed network (no background
// updates, sync or QUIC probes) and without the sandbox (CI runs as root).

import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

import { chromium } from 'playwright-core';

import { REPO_ROOT } from './server.mjs';

export const CHROMIUM = process.env.VOXSECRETS_CHROMIUM ?? '/usr/bin/chromium';

const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--disable-dev-shm-usage'];

export async function launchBrowser() {
  assert.ok(fs.existsSync(CHROMIUM),
    `${CHROMIUM} is missing: run scripts/setup (it installs Debian's chromium)`);
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS,
    timeout: 60_000 });
}

export function panelUrl(server) {
  return `https://127.0.0.1:${server.port}`;
}

export async function openPanel(browser, server, options = {}) {
  const context = await browser.newContext({
    ignoreHTTPSErrors: true, // the server's self-signed dev certificate
    viewport: options.viewport ?? { width: 1280, height: 800 },
    colorScheme: options.colorScheme ?? 'light',
    reducedMotion: options.reducedMotion ?? 'reduce',
    acceptDownloads: true,
    locale: 'en-US',
    timezoneId: 'UTC',
  });
  const origin = panelUrl(server);
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
  const requests = [];
  const pending = [];
  context.on('request', (request) => {
    pending.push((async () => {
      let headers = {};
      try {
        headers = await request.allHeaders();
      } catch {
        headers = request.headers();
      }
      requests.push({ url: request.url(), method: request.method(), headers,
        body: request.postDataBuffer() ?? Buffer.alloc(0) });
    })());
  });
  const problems = [];
  const watch = (page) => {
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  };
  context.on('page', watch);
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  await page.goto(`${origin}/`);
  // CSP violations are reported as console errors too; this also catches report-only ones.
  await page.evaluate(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      console.error(`CSP violation: ${event.violatedDirective} ${event.blockedURI}`);
    });
  });
  return {
    context,
    page,
    requests,
    problems,
    settle: () => Promise.all(pending),
    close: async () => {
      await Promise.all(pending);
      await context.close();
    },
  };
}

export async function signIn(page, credentialsPath) {
  await page.getByLabel('Credentials file').setInputFiles(credentialsPath);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

// Polls until the text of `locator` contains `text` (a string or RegExp). With secret: true (the
// text is a secret value), a failure names neither the expected nor the seen text.
export async function waitForText(locator, text, { secret = false, timeoutMs = 15_000 } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    last = (await locator.textContent({ timeout: timeoutMs }).catch(() => '')) ?? '';
    if (typeof text === 'string' ? last.includes(text) : text.test(last)) return last;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.fail(secret ? `the expected value did not appear in ${locator}`
    : `expected text ${text} in ${locator}, last saw: ${last.slice(0, 300)}`);
}

const require = createRequire(import.meta.url);
const AXE_SOURCE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

// axe-core is evaluated through the DevTools protocol (not a <script> tag), so the panel's CSP
// stays exactly as served while it runs.
export async function runAxe(page) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) {
    await page.evaluate(AXE_SOURCE);
  }
  const result = await page.evaluate(async () => {
    const r = await window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa',
        'best-practice'] },
      resultTypes: ['violations'],
    });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' ')) }));
  });
  return result.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

export async function assertAccessible(page, what) {
  const violations = await runAxe(page);
  assert.deepEqual(violations, [], `${what}: axe found serious or critical violations:\n` +
    JSON.stringify(violations, null, 2));
}

const SHOT_DIR = process.env.VOXSECRETS_PANEL_SCREENSHOTS
  ? path.resolve(REPO_ROOT, process.env.VOXSECRETS_PANEL_SCREENSHOTS)
  : fs.mkdtempSync(path.join(os.tmpdir(), 'voxsecrets-panel-shots-'));

export function screenshotDir() {
  return SHOT_DIR;
}

export async function screenshot(page, name) {
  fs.mkdirSync(SHOT_DIR, { recursive: true });
  const file = path.join(SHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, animations: 'disabled', caret: 'hide' });
  return file;
}

// Removes the temp screenshot dir (never a directory the caller named).
export function cleanupScreenshots() {
  if (!process.env.VOXSECRETS_PANEL_SCREENSHOTS) fs.rmSync(SHOT_DIR, { recursive: true, force: true });
}
