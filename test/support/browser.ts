/**
 * Headless Chromium for tests that drive the playground as a person would:
 * Debian's `chromium` package driven by playwright-core (which ships no browser
 * of its own and downloads nothing). Each page records console errors, page
 * errors and CSP violations, so a test can fail on any of them.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { REPO_ROOT } from './engine';

/** Where Debian's chromium package puts the browser (installed by .ci/run when missing). */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Flags for a headless run in a sandboxless container that must not reach out. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** Screenshots go here; .gitignore keeps them out of commits. */
export const TEST_OUTPUT_DIR = path.join(REPO_ROOT, 'test-output');

/**
 * Why the browser tests cannot run here, or undefined when they can. In CI
 * (CI=true) a missing browser is a failure, not a skip: .ci/run installs it.
 */
export function chromiumUnavailable(): string | undefined {
  return existsSync(CHROMIUM_PATH) ? undefined : `${CHROMIUM_PATH} is missing (apt-get install chromium)`;
}

/** True when a missing browser must fail the run instead of skipping. */
export const browserRequired = process.env.CI === 'true';

/** Launches the browser; close it in afterAll. Every context it makes starts with an empty profile. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
}

/** Reports every CSP violation of the page to the binding below (a string: tsc here knows no DOM types). */
const CSP_LISTENER = `document.addEventListener('securitypolicyviolation', (e) => {
  window.__dockqlCspViolation(e.effectiveDirective + ' blocked ' + (e.blockedURI || '(inline)') + ' at ' + e.sourceFile + ':' + e.lineNumber);
});`;

/** Something the page complained about. */
export interface PageProblem {
  readonly kind: 'console' | 'pageerror' | 'csp';
  readonly text: string;
}

/** A page in its own fresh context, with what it complained about. */
export interface RecordedPage {
  readonly page: Page;
  readonly context: BrowserContext;
  /** Console errors, uncaught exceptions and CSP violations, in order. */
  readonly problems: PageProblem[];
  close(): Promise<void>;
}

/**
 * Opens a new context (no cookies, no localStorage) and page that records its
 * problems. CSP violations come from the page's own `securitypolicyviolation`
 * events (an init script, which DevTools injects without being subject to the
 * page's CSP) as well as from the console message Chromium prints for them.
 */
export async function openRecordedPage(browser: Browser): Promise<RecordedPage> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  const problems: PageProblem[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') {
      const where = message.location().url;
      problems.push({ kind: 'console', text: where ? `${message.text()} (${where})` : message.text() });
    }
  });
  page.on('pageerror', (error) => problems.push({ kind: 'pageerror', text: error.stack ?? error.message }));
  await page.exposeBinding('__dockqlCspViolation', (_source, text: string) => {
    problems.push({ kind: 'csp', text });
  });
  await page.addInitScript({ content: CSP_LISTENER });
  return { page, context, problems, close: () => context.close() };
}

/** Writes a full-page screenshot to test-output/<name> and returns its absolute path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(TEST_OUTPUT_DIR, { recursive: true });
  const file = path.join(TEST_OUTPUT_DIR, name);
  await page.screenshot({ path: file });
  return file;
}

/**
 * Polls `read` until `check` holds; rejects after `timeoutMs` with the last value
 * read, so a failure says what the page showed instead of just "timeout".
 */
export async function waitForValue<T>(read: () => Promise<T>, check: (value: T) => boolean, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (check(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last value: ${JSON.stringify(value).slice(0, 2000)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
