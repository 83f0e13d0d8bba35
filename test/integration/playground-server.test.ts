/**
 * The playground on the FULL server: one port and one path, `/graphql`, where a
 * browser gets the GraphiQL page, a GraphQL client gets JSON, and a graphql-ws
 * client gets a WebSocket, all served from this server alone.
 */
import type { Client } from 'graphql-ws';
import { startTestApp, type TestApp } from '../support/app';
import { gql, wsClient, wsQuery } from '../support/graphql';

const HTML = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8'; // what Chromium sends

/** The `src=` and `href=` values of a page, less inline data: URLs (nothing to fetch). */
function referencedUrls(html: string): string[] {
  return [...html.matchAll(/\b(?:src|href)\s*=\s*["']([^"']*)["']/gi)].map((m) => m[1]).filter((ref) => !ref.startsWith('data:'));
}

describe('the playground on the full dockql server', () => {
  let server: TestApp;
  let page: Response;
  let html: string;

  beforeAll(async () => {
    server = await startTestApp();
    page = await fetch(server.graphqlUrl, { headers: { accept: HTML } });
    html = await page.text();
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('when I open /graphql in a browser, then I get an HTML page under a Content-Security-Policy', () => {
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
    expect(html).toMatch(/<title>[^<]*playground[^<]*<\/title>/i);
  });

  it('when I read the page, then it names no http:// or https:// origin (no CDN)', () => {
    expect(html).not.toMatch(/https?:\/\//i);
  });

  it('when I read the page, then its embedded config points the playground at /graphql', () => {
    const config = /<script type="application\/json" id="dockql-playground-config">([^<]*)<\/script>/.exec(html);

    expect(config).not.toBeNull();
    expect(JSON.parse(config![1])).toMatchObject({ graphqlPath: '/graphql' });
  });

  it('when the browser loads everything the page references, then each file comes from this server', async () => {
    const refs = referencedUrls(html);

    expect(refs.length).toBeGreaterThanOrEqual(2); // the script and the stylesheet
    for (const ref of refs) {
      const url = new URL(ref, server.graphqlUrl);
      const res = await fetch(url);
      await res.arrayBuffer();
      expect({ ref, origin: url.origin, status: res.status }).toEqual({ ref, origin: server.baseUrl, status: 200 });
    }
  });

  it('when the stylesheet references fonts and images, then they are data: URLs or load from this server', async () => {
    const cssHref = /<link rel="stylesheet" href="([^"]+)"/.exec(html)?.[1];
    expect(cssHref).toBeDefined();
    const cssUrl = new URL(cssHref!, server.graphqlUrl);
    const css = await (await fetch(cssUrl)).text();
    const urls = [...css.matchAll(/url\(\s*(['"]?)(.*?)\1\s*\)/g)].map((m) => m[2]);

    expect(urls.length).toBeGreaterThan(0); // GraphiQL ships its fonts in the CSS
    for (const ref of urls) {
      if (ref.startsWith('data:') || ref.startsWith('#')) continue; // inline data, or an SVG fragment
      const url = new URL(ref, cssUrl);
      const res = await fetch(url);
      await res.arrayBuffer();
      expect({ ref, origin: url.origin, status: res.status }).toEqual({ ref, origin: server.baseUrl, status: 200 });
    }
  });

  it('when a client POSTs a query to /graphql, then Apollo still answers JSON', async () => {
    const res = await gql<{ __typename: string }>(server.graphqlUrl, '{ __typename }');

    expect(res.status).toBe(200);
    expect(res.data).toEqual({ __typename: 'Query' });
  });

  describe('when a client GETs /graphql?query={__typename} asking for JSON', () => {
    const url = () => `${server.graphqlUrl}?query=${encodeURIComponent('{__typename}')}`;

    it('without a preflight header, then Apollo refuses it (CSRF prevention) and no HTML is served', async () => {
      const res = await fetch(url(), { headers: { accept: 'application/json' } });
      const body = await res.text();

      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).not.toMatch(/text\/html/);
      expect(body).not.toMatch(/<html/i);
      expect(body).toMatch(/apollo-require-preflight/i);
    });

    it('with apollo-require-preflight: true, then Apollo answers the query as JSON', async () => {
      const res = await fetch(url(), { headers: { accept: 'application/json', 'apollo-require-preflight': 'true' } });

      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(await res.json()).toEqual({ data: { __typename: 'Query' } });
    });
  });

  describe('when a graphql-ws client connects to the same path', () => {
    let client: Client;

    beforeAll(() => {
      client = wsClient(server.wsUrl);
    });

    afterAll(async () => {
      await client?.dispose();
    });

    it('then it gets answers too: both protocols share the port', async () => {
      expect(new URL(server.wsUrl).port).toBe(new URL(server.graphqlUrl).port);

      const res = await wsQuery<{ __typename: string }>(client, '{ __typename }');

      expect(res.errors).toBeUndefined();
      expect(res.data).toEqual({ __typename: 'Query' });
    });
  });
});
