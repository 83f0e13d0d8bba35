/**
 * The playground as an ops person uses it: headless Chromium (Debian's
 * /usr/bin/chromium, driven by playwright-core) opens /graphql on a real
 * server against the test engine, runs the ready-made examples, watches an
 * event arrive, and uses the token field on a server that has tokens. Any
 * console error, uncaught exception or CSP violation fails the test.
 *
 * Screenshots land in test-output/ (not committed); their paths are printed.
 * Without /usr/bin/chromium the file skips locally and fails in CI (CI=true).
 */
import type { Browser, WebSocket as PageWebSocket } from 'playwright-core';
import { startTestApp, type TestApp } from '../support/app';
import { browserRequired, chromiumUnavailable, launchChromium, openRecordedPage, type PageProblem, type RecordedPage, screenshot, waitForValue } from '../support/browser';
import { docker } from '../support/engine';
import { BUSYBOX, cleanUp, runContainer } from '../support/fixtures';
import { activeTabTitle, clickRun, openPlayground, responseText, selectTab, tokenLabel, typeToken, waitForResponse } from '../support/playground-page';

const OWNER = 'playground-browser';
const unavailable = chromiumUnavailable();
if (unavailable && !browserRequired) process.stdout.write(`\nplayground-browser: skipped, ${unavailable}\n`);
const describeInBrowser = unavailable && !browserRequired ? describe.skip : describe;

interface HostOverview {
  version: { server: { apiVersion: string; version: string } };
  info: { name: string; images: number };
  images: Array<{ repoTags: string[] }>;
}
interface ContainerEvent {
  action: string;
  containerId: string;
  image: string;
}
interface Result<T> {
  data?: T | null;
  errors?: Array<{ message: string; extensions?: { code?: string } }>;
}

/** Waits until the server holds exactly `n` event subscribers (on a connected daemon stream, when n > 0). */
function eventSubscribers(api: TestApp, n: number): Promise<unknown> {
  const stats = async () => api.app.eventHub.stats();
  return waitForValue(stats, (s) => s.subscribers === n && (n === 0 || s.connected), `${n} event subscriber(s) on the server`);
}

/** Runs the ContainerEvents tab, starts a container, and returns the event the result pane shows for it. */
async function watchAContainerStart(tab: RecordedPage, api: TestApp): Promise<{ id: string; event: ContainerEvent }> {
  await selectTab(tab.page, 'ContainerEvents');
  await clickRun(tab.page);
  // The server's subscriber count says the browser's subscription is live; the pane says why when not.
  await eventSubscribers(api, 1).catch(async (err: Error) => {
    throw new Error(`${err.message}\nresult pane: ${await responseText(tab.page)}\npage problems: ${JSON.stringify(tab.problems)}`);
  });
  const id = await runContainer(OWNER);
  const result = await waitForResponse<Result<{ containerEvents: ContainerEvent }>>(
    tab.page,
    (r) => r.data?.containerEvents?.containerId === id,
    `an event of container ${id.slice(0, 12)} in the result pane`,
  );
  return { id, event: result.data!.containerEvents };
}

/** Clicks run again (now "Stop") and waits until the server has let the subscription go. */
async function stopSubscription(tab: RecordedPage, api: TestApp): Promise<void> {
  await clickRun(tab.page);
  await eventSubscribers(api, 0);
}

describeInBrowser('the playground in headless Chromium', () => {
  let browser: Browser;
  const tabs: RecordedPage[] = [];

  /** A fresh browser context (empty localStorage) on the playground of `api`. */
  async function openTab(api: TestApp): Promise<RecordedPage> {
    const tab = await openRecordedPage(browser);
    tabs.push(tab);
    await openPlayground(tab.page, api.graphqlUrl);
    return tab;
  }

  beforeAll(async () => {
    if (unavailable) throw new Error(`CI=true and ${unavailable}: .ci/run installs it (scripts/engine.sh deps)`);
    browser = await launchChromium();
  });

  afterAll(async () => {
    for (const tab of tabs) await tab.close().catch(() => undefined);
    await browser?.close();
    await cleanUp(OWNER);
  });

  describe('on a server without tokens (a loopback caller is admin)', () => {
    let api: TestApp;
    let tab: RecordedPage;

    beforeAll(async () => {
      api = await startTestApp();
      tab = await openTab(api);
    });

    afterAll(async () => {
      await api?.stop();
    });

    it('when I run the default HostOverview example, then the result pane shows this engine and its busybox image', async () => {
      const engineApiVersion = (await docker(['version', '--format', '{{.Server.APIVersion}}'])).stdout.trim();

      expect(await activeTabTitle(tab.page)).toBe('HostOverview');
      await clickRun(tab.page);
      const result = await waitForResponse<Result<HostOverview>>(tab.page, (r) => r.data !== undefined || r.errors !== undefined, 'the HostOverview result');
      const file = await screenshot(tab.page, 'playground.png');
      process.stdout.write(`\nplayground screenshot: ${file}\n`);

      expect(result.errors).toBeUndefined();
      expect(result.data!.version.server.apiVersion).toBe(engineApiVersion);
      expect(result.data!.images.flatMap((i) => i.repoTags)).toContain(BUSYBOX);
      expect(tab.problems).toEqual([]);
    });

    it('when I run the ContainerEvents example and start a container, then its event appears in the result pane', async () => {
      const { id, event } = await watchAContainerStart(tab, api);
      process.stdout.write(`playground screenshot: ${await screenshot(tab.page, 'playground-events.png')}\n`);
      await stopSubscription(tab, api);

      expect(event).toMatchObject({ containerId: id, image: BUSYBOX });
      expect(['create', 'start']).toContain(event.action);
      expect(tab.problems).toEqual([]);
    });
  });

  describe('on a server with tokens, using the Token field', () => {
    let api: TestApp;
    let tab: RecordedPage;
    let token: string;
    const httpAuthorizations: Array<string | undefined> = [];
    const sockets: PageWebSocket[] = [];
    const initFrames: string[] = [];
    /** Problems the page reported before the token was typed (its refused requests). */
    let beforeToken: PageProblem[] = [];

    beforeAll(async () => {
      api = await startTestApp({ tokens: { ops: 'viewer' } });
      token = api.tokens.ops;
      tab = await openRecordedPage(browser);
      tabs.push(tab);
      tab.page.on('request', (req) => {
        if (req.method() === 'POST' && req.url() === api.graphqlUrl) httpAuthorizations.push(req.headers().authorization);
      });
      tab.page.on('websocket', (ws) => {
        sockets.push(ws);
        ws.on('framesent', ({ payload }) => {
          if (typeof payload === 'string' && payload.includes('"connection_init"')) initFrames.push(payload);
        });
      });
      await openPlayground(tab.page, api.graphqlUrl);
    });

    afterAll(async () => {
      await api?.stop();
    });

    it('when I run HostOverview with the field empty, then the result pane answers UNAUTHENTICATED', async () => {
      expect(await tokenLabel(tab.page)).toBe('Token');
      await clickRun(tab.page);
      const result = await waitForResponse<Result<HostOverview>>(tab.page, (r) => r.errors !== undefined || r.data !== undefined, 'the refused HostOverview');

      expect(result.data ?? undefined).toBeUndefined();
      expect(result.errors?.map((e) => e.extensions?.code)).toEqual(['UNAUTHENTICATED']);
      expect(httpAuthorizations.length).toBeGreaterThan(0);
      expect(httpAuthorizations.every((a) => a === undefined)).toBe(true);
      // The only complaints: Chromium logs each 401 (the schema request and the query) as a failed load.
      beforeToken = [...tab.problems];
      expect(beforeToken.filter((p) => !(p.kind === 'console' && /status of 401/.test(p.text)))).toEqual([]);
    });

    it('when I type my token into the field and run HostOverview again, then it returns data, sent as Authorization: Bearer', async () => {
      const sentBefore = httpAuthorizations.length;
      await typeToken(tab.page, token);
      await clickRun(tab.page);
      const result = await waitForResponse<Result<HostOverview>>(tab.page, (r) => r.data != null, 'HostOverview data with the token');
      process.stdout.write(`playground screenshot: ${await screenshot(tab.page, 'playground-token.png')}\n`);
      const stored = await tab.page.evaluate('JSON.stringify([Object.entries(localStorage), Object.entries(sessionStorage)])');

      expect(result.errors).toBeUndefined();
      expect(result.data!.images.flatMap((i) => i.repoTags)).toContain(BUSYBOX);
      expect(httpAuthorizations.slice(sentBefore)).toContain(`Bearer ${token}`);
      expect(await tab.page.locator('#dockql-token').getAttribute('type')).toBe('password');
      expect(String(stored)).not.toContain(token);
      expect(tab.problems.slice(beforeToken.length)).toEqual([]);
    });

    it('when I then run the ContainerEvents example, then the WebSocket carries the token in connectionParams and the event arrives', async () => {
      const { id, event } = await watchAContainerStart(tab, api);
      await stopSubscription(tab, api);

      expect(event.containerId).toBe(id);
      expect(sockets.map((ws) => new URL(ws.url()).pathname)).toContain('/graphql');
      expect(initFrames.map((f) => (JSON.parse(f) as { payload?: Record<string, unknown> }).payload?.authorization)).toContain(`Bearer ${token}`);
      expect(tab.problems.slice(beforeToken.length)).toEqual([]);
    });
  });
});
