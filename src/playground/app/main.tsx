/**
 * Browser entry of the dockql playground: GraphiQL 4 (CodeMirror 5, no web
 * workers) bundled by scripts/build-playground.mjs into dist/playground/.
 *
 * Not compiled by the server's tsc build (that only covers src/**\/*.ts); esbuild
 * strips the types, so keep this file free of anything that needs type-directed
 * emit (decorators, const enums).
 *
 * Queries and mutations go over HTTP POST to the same endpoint as every other
 * client; subscriptions go over graphql-ws on the same path. Nothing is loaded
 * from a CDN: the page's Content-Security-Policy would refuse it anyway. The
 * token field (./token-field.tsx) adds the caller's token to both.
 */
import { createGraphiQLFetcher } from '@graphiql/toolkit';
import { GraphiQL } from 'graphiql';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
// GraphiQL 4 does not import its own CSS. Its fonts are already data: URLs, and
// the build script inlines anything else, so the bundle needs no other file.
import 'graphiql/style.css';
import { PLAYGROUND_EXAMPLES } from './examples';
import { TokenField, useTokenFetcher } from './token-field';
import './token-field.css';

/** Shape of the JSON the server embeds in the page (see src/playground/playground.ts). */
interface PlaygroundConfig {
  graphqlPath: string;
}

/** Element ids shared with the HTML page rendered by src/playground/playground.ts. */
const CONFIG_ELEMENT_ID = 'dockql-playground-config';
const ROOT_ELEMENT_ID = 'dockql-playground';

/**
 * Reads the config from the inert `<script type="application/json">` block.
 * A data block instead of an inline script keeps `script-src 'self'` strict.
 */
function readConfig(): PlaygroundConfig {
  const fallback: PlaygroundConfig = { graphqlPath: '/graphql' };
  const text = document.getElementById(CONFIG_ELEMENT_ID)?.textContent;
  if (!text) return fallback;
  try {
    const parsed = JSON.parse(text) as Partial<PlaygroundConfig>;
    // Only a same-origin absolute path is accepted: the CSP would block any other
    // origin, and a relative path would resolve against the page's own path.
    if (typeof parsed.graphqlPath === 'string' && /^\/(?!\/)/.test(parsed.graphqlPath)) {
      return { graphqlPath: parsed.graphqlPath };
    }
  } catch {
    // fall through: a broken config block should still give a working page
  }
  return fallback;
}

/** The same path over ws:/wss:, following the page's own scheme so TLS stays TLS. */
function subscriptionUrlFor(graphqlPath: string): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}${graphqlPath}`;
}

/**
 * Default content of the Headers editor for every tab that does not set its
 * own. The token has its own field; the editor stays for other headers (and
 * still accepts `{ "Authorization": "Bearer <token>" }`, which the field
 * overrides when it holds a token). The fetcher sends these headers with HTTP
 * requests and as graphql-ws `connectionParams` for subscriptions.
 */
const DEFAULT_HEADERS = '{}';

/** localStorage keys (under GraphiQL's "graphiql:" namespace) whose items carry headers. */
const HISTORY_KEYS = new Set(['graphiql:queries', 'graphiql:favorites']);
const NAMESPACE = 'graphiql:';

/** Drops `headers` from every stored history/favorite item; other values pass through. */
function withoutHeaders(key: string, value: string): string {
  if (!HISTORY_KEYS.has(key)) return value;
  try {
    const parsed = JSON.parse(value) as Record<string, Array<Record<string, unknown>>>;
    for (const items of Object.values(parsed)) {
      if (Array.isArray(items)) for (const item of items) delete item.headers;
    }
    return JSON.stringify(parsed);
  } catch {
    return value;
  }
}

/**
 * localStorage as GraphiQL uses it, except that headers never reach disk.
 * `shouldPersistHeaders={false}` only covers the tab state: the history plugin
 * stores each run's headers in "graphiql:queries" regardless (seen in Chromium
 * with GraphiQL 4.1.2), which would leave Authorization tokens in the browser.
 * History still holds them in memory for the session.
 */
const storage = {
  getItem: (key: string) => localStorage.getItem(key),
  setItem: (key: string, value: string) => localStorage.setItem(key, withoutHeaders(key, value)),
  removeItem: (key: string) => localStorage.removeItem(key),
  // Scoped to GraphiQL's namespace, as its default storage is: "Clear data" in
  // the settings dialog must not wipe other apps on this origin.
  get length() {
    return Object.keys(localStorage).filter((k) => k.startsWith(NAMESPACE)).length;
  },
  clear() {
    for (const k of Object.keys(localStorage)) if (k.startsWith(NAMESPACE)) localStorage.removeItem(k);
  },
};

const config = readConfig();

const baseFetcher = createGraphiQLFetcher({
  url: config.graphqlPath,
  subscriptionUrl: subscriptionUrlFor(config.graphqlPath),
});

/** Mutable copies: GraphiQL's tab type is not readonly. Built once, as a new fetcher re-renders the page. */
const DEFAULT_TABS = PLAYGROUND_EXAMPLES.map((e) => ({ ...e }));

/** GraphiQL with the token field in its logo slot (which also drops GraphiQL's outside link). */
function Playground() {
  const { fetcher, setToken, applyToken } = useTokenFetcher(baseFetcher);
  return (
    <GraphiQL
      fetcher={fetcher}
      // Only used when localStorage holds no tabs yet (first visit or cleared).
      defaultTabs={DEFAULT_TABS}
      // Variables first: the OneImage tab needs them, and Headers is one click away.
      defaultEditorToolsVisibility="variables"
      defaultHeaders={DEFAULT_HEADERS}
      isHeadersEditorEnabled
      // Headers will carry credentials: keep them out of localStorage, and hide
      // the settings toggle that would let a shared browser opt in.
      shouldPersistHeaders={false}
      showPersistHeadersSettings={false}
      storage={storage}
    >
      <GraphiQL.Logo>
        <TokenField onChange={setToken} onCommit={applyToken} />
      </GraphiQL.Logo>
    </GraphiQL>
  );
}

const root = document.getElementById(ROOT_ELEMENT_ID);
if (!root) throw new Error(`#${ROOT_ELEMENT_ID} is missing from the page`);

createRoot(root).render(
  <StrictMode>
    <Playground />
  </StrictMode>,
);
