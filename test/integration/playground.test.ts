/**
 * The GraphiQL playground router on a bare Express app (no Docker engine needed):
 * the page and everything it references come from our own server.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import express from 'express';
import { PLAYGROUND_CSP, playgroundRouter } from '../../src/playground/playground';

const ROOT = path.resolve(__dirname, '..', '..');
const HTML = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8'; // what Chromium sends

/** Serves the router plus a stand-in for Apollo on GET /graphql, on 127.0.0.1:<random>. */
async function startApp(assetsDir: string): Promise<{ base: string; stop(): Promise<void> }> {
  const app = express();
  app.use(playgroundRouter({ graphqlPath: '/graphql', assetsDir }));
  app.get('/graphql', (_req, res) => {
    res.json({ fellThrough: true });
  });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

describe('playground', () => {
  let assetsDir: string;
  let emptyDir: string;
  let built: { base: string; stop(): Promise<void> };
  let notBuilt: { base: string; stop(): Promise<void> };

  beforeAll(async () => {
    assetsDir = mkdtempSync(path.join(os.tmpdir(), 'dockql-playground-'));
    emptyDir = mkdtempSync(path.join(os.tmpdir(), 'dockql-playground-empty-'));
    // A fresh build in a temp dir, so the test does not depend on (or disturb) dist/.
    execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'build-playground.mjs'), '--outdir', assetsDir], {
      stdio: 'pipe',
    });
    // What tsc puts next to the bundle in dist/playground: must never be served.
    writeFileSync(path.join(assetsDir, 'playground.js'), 'exports.secret = "server code";\n');
    built = await startApp(assetsDir);
    notBuilt = await startApp(emptyDir);
  }, 60_000);

  afterAll(async () => {
    await built?.stop();
    await notBuilt?.stop();
    rmSync(assetsDir, { recursive: true, force: true });
    rmSync(emptyDir, { recursive: true, force: true });
  });

  it('when I open /graphql in a browser, then I get the dockql playground page under a strict CSP', async () => {
    const res = await fetch(`${built.base}/graphql`, { headers: { accept: HTML } });
    const html = await res.text();

    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('content-security-policy')).toBe(PLAYGROUND_CSP);
    expect(PLAYGROUND_CSP).toContain("script-src 'self'");
    expect(PLAYGROUND_CSP).not.toContain('unsafe-eval');
    expect(res.headers.get('vary')).toMatch(/accept/i);
    expect(html).toContain('<title>dockql playground</title>');
    expect(html).toContain('<noscript>');
    expect(html).not.toMatch(/https?:\/\//i);
    const config = /<script type="application\/json" id="dockql-playground-config">([^<]*)<\/script>/.exec(html);
    expect(JSON.parse(config?.[1] ?? 'null')).toEqual({ graphqlPath: '/graphql' });
  });

  it('when the page loads its assets, then each one comes from our server with the right type', async () => {
    const html = await (await fetch(`${built.base}/graphql`, { headers: { accept: HTML } })).text();
    const refs = [...html.matchAll(/\b(?:src|href)="([^"]*)"/g)]
      .map((m) => m[1])
      .filter((ref) => !ref.startsWith('data:')); // inline (the empty favicon): nothing to fetch

    expect(refs.length).toBeGreaterThanOrEqual(2);
    const types: string[] = [];
    for (const ref of refs) {
      expect(ref).toMatch(/^\/playground\/[^/]+$/);
      const res = await fetch(`${built.base}${ref}`);
      const body = await res.arrayBuffer();
      expect(res.status).toBe(200);
      expect(body.byteLength).toBeGreaterThan(0);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      const type = res.headers.get('content-type') ?? '';
      if (ref.endsWith('.js')) expect(type).toMatch(/^text\/javascript/);
      if (ref.endsWith('.css')) expect(type).toMatch(/^text\/css/);
      types.push(type.split(';')[0]);
    }
    expect(types.sort()).toEqual(['text/css', 'text/javascript']);
  });

  it('when the stylesheet references fonts and images, then they are data: URLs or served by us', async () => {
    const html = await (await fetch(`${built.base}/graphql`, { headers: { accept: HTML } })).text();
    const cssHref = /<link rel="stylesheet" href="([^"]+)"/.exec(html)?.[1];
    const css = await (await fetch(`${built.base}${cssHref}`)).text();
    const urls = [...css.matchAll(/url\(\s*(['"]?)(.*?)\1\s*\)/g)].map((m) => m[2]);

    expect(urls.length).toBeGreaterThan(0); // GraphiQL ships its fonts in the CSS
    for (const url of urls) {
      if (url.startsWith('data:') || url.startsWith('#')) continue; // inline data, or an SVG fragment
      const res = await fetch(new URL(url, `${built.base}${cssHref}`));
      expect({ url, status: res.status }).toEqual({ url, status: 200 });
    }
  });

  it('when a client asks GET /graphql for JSON, then the request falls through to the GraphQL server', async () => {
    for (const accept of ['application/json', 'application/graphql-response+json', '*/*']) {
      const res = await fetch(`${built.base}/graphql?query=%7B__typename%7D`, { headers: { accept } });
      expect(await res.json()).toEqual({ fellThrough: true });
    }
  });

  it('when I ask for a file that is not in the bundle, then I get a 404 JSON and never server code', async () => {
    for (const name of ['playground.js', 'nope.js', '..%2Fplayground.js', 'manifest.json', 'sub/dir.js']) {
      const res = await fetch(`${built.base}/playground/${name}`);
      const body = await res.text();
      expect({ name, status: res.status }).toEqual({ name, status: 404 });
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(body).not.toContain('server code');
    }
  });

  it('when the bundle has not been built, then the page is a 503 that says to run npm run build', async () => {
    const res = await fetch(`${notBuilt.base}/graphql`, { headers: { accept: HTML } });

    expect(res.status).toBe(503);
    expect(await res.text()).toContain('npm run build');
  });
});
