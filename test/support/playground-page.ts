/**
 * What a person does in the dockql playground (GraphiQL 4), as calls a test
 * can make: pick a tab, run it, read the result pane, type a token.
 * Selectors are GraphiQL's own class names and our token field's id.
 */
import type { Page } from 'playwright-core';
import { waitForValue } from './browser';

/** The id of the token input (src/playground/app/token-field.tsx). */
const TOKEN_INPUT = '#dockql-token';

/** Loads the page and waits until GraphiQL has drawn its editors. */
export async function openPlayground(page: Page, graphqlUrl: string): Promise<void> {
  // Chromium's own Accept header prefers text/html: the same URL as the API gives the page.
  const res = await page.goto(graphqlUrl);
  if (res?.status() !== 200) throw new Error(`GET ${graphqlUrl} answered ${res?.status()}`);
  await page.locator('.graphiql-execute-button').waitFor();
  await page.locator('.graphiql-response .CodeMirror').waitFor();
}

/** Clicks the tab whose title (GraphiQL names it after the operation) is `title`. */
export async function selectTab(page: Page, title: string): Promise<void> {
  await page.locator('.graphiql-tab-button', { hasText: title }).click();
  await waitForValue(() => activeTabTitle(page), (t) => t === title, `the ${title} tab to be active`);
  // The editor gets the tab's text in an effect after the tab turns active, and the operation
  // name it runs 100 ms (a debounce) after that: a run before then sends the old tab's name.
  await waitForValue(() => queryOperationName(page), (name) => name === title, `the ${title} operation in the query editor`);
}

/** The operation the run button would run: GraphiQL keeps it on the query editor's CodeMirror instance. */
function queryOperationName(page: Page): Promise<string | null> {
  return page
    .locator('.graphiql-query-editor .CodeMirror')
    .evaluate((element) => (element as unknown as { CodeMirror: { operationName?: string | null } }).CodeMirror.operationName ?? null);
}

/** The whole text of one of GraphiQL's CodeMirror editors (it draws only visible lines, so this reads the editor). */
function editorText(page: Page, container: string): Promise<string> {
  return page
    .locator(`${container} .CodeMirror`)
    .evaluate((element) => (element as unknown as { CodeMirror: { getValue(): string } }).CodeMirror.getValue());
}

/** The title of the active tab. */
export function activeTabTitle(page: Page): Promise<string> {
  return page.locator('.graphiql-tab-active .graphiql-tab-button').innerText();
}

/** Clicks the run button (the same as Ctrl-Enter); on a running subscription it stops it. */
export async function clickRun(page: Page): Promise<void> {
  await page.locator('.graphiql-execute-button').click();
}

/** The whole text of the result pane. */
export function responseText(page: Page): Promise<string> {
  return editorText(page, '.graphiql-response');
}

/** A result pane's JSON, or undefined while it is empty or not JSON. */
export function parseResponse<T = { data?: Record<string, unknown> | null; errors?: Array<{ message: string; extensions?: { code?: string } }> }>(
  text: string,
): T | undefined {
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}

/** Waits until the result pane holds JSON for which `check` holds, and returns it. */
export async function waitForResponse<T = NonNullable<ReturnType<typeof parseResponse>>>(page: Page, check: (result: T) => boolean, what: string, timeoutMs?: number): Promise<T> {
  const text = await waitForValue(
    () => responseText(page),
    (t) => {
      const parsed = parseResponse<T>(t);
      return parsed !== undefined && check(parsed);
    },
    what,
    timeoutMs,
  );
  return parseResponse<T>(text)!;
}

/** Types a token into the token field as a person would, then Enter (which also re-reads the schema). */
export async function typeToken(page: Page, token: string): Promise<void> {
  const input = page.locator(TOKEN_INPUT);
  await input.click();
  await input.pressSequentially(token);
  await input.press('Enter');
}

/** The label a person reads next to the token field. */
export function tokenLabel(page: Page): Promise<string> {
  return page.locator(`label[for="${TOKEN_INPUT.slice(1)}"]`).innerText();
}
