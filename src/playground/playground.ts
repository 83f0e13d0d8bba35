/**
 * GraphiQL for ops, served from our own assets: no CDN, no third-party origin.
 *
 * `GET <graphqlPath>` from a browser (Accept prefers text/html) gets a small HTML
 * page; every other request on that path falls through to Apollo. The page loads
 * the esbuild bundle (scripts/build-playground.mjs) from `/playground/`, which
 * serves exactly the files listed in the bundle's manifest.json and nothing else.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';

/** URL prefix the bundle files are served under. */
export const PLAYGROUND_ASSETS_PATH = '/playground';

/**
 * Where `npm run build` puts the bundle: beside the compiled router (dist/playground),
 * or, when running from the TypeScript sources (ts-node, jest), the repo's dist/playground.
 */
function defaultAssetsDir(): string {
  const compiled = path.join(__dirname, '..', 'playground');
  return __dirname.split(path.sep).includes('src') ? path.join(__dirname, '..', '..', 'dist', 'playground') : compiled;
}

/** Options of {@link playgroundRouter}. */
export interface PlaygroundOptions {
  /** Path of the GraphQL endpoint, e.g. `/graphql`; the page is served on it. */
  graphqlPath: string;
  /**
   * Directory holding the bundle and its manifest.json. Defaults to the directory
   * of the compiled file (dist/playground), where the build script writes it.
   * Callers running from TypeScript sources (ts-node, ts-jest) must pass it.
   */
  assetsDir?: string;
}

/**
 * Content-Security-Policy of the page. Checked in headless Chromium against the
 * real bundle: GraphiQL 4 runs without 'unsafe-eval' (CodeMirror 5, no workers,
 * nothing compiled at runtime). 'unsafe-inline' for styles stays because
 * GraphiQL's Radix dialogs (settings, shortcuts) inject a `<style>` element,
 * and the page itself has one small layout rule. ws:/wss: let subscriptions
 * reach graphql-ws; 'self' alone does not match ws: URLs in every browser.
 */
export const PLAYGROUND_CSP = [
  "default-src 'self'",
  "connect-src 'self' ws: wss:",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "script-src 'self'",
  // Nothing below is needed by GraphiQL; closing them costs nothing.
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const MANIFEST_FILE = 'manifest.json';
const CONFIG_ELEMENT_ID = 'dockql-playground-config';
const ROOT_ELEMENT_ID = 'dockql-playground';

/** What the page needs from manifest.json (written by scripts/build-playground.mjs). */
interface Manifest {
  script: string;
  style: string;
  files: Record<string, { bytes: number }>;
}

/**
 * Builds the router. Mount it on the app BEFORE the Apollo middleware (it only
 * answers HTML GETs on the endpoint and passes the rest on), and disable
 * Apollo's own landing page, which would otherwise answer the same requests
 * with a page that loads from a CDN.
 *
 * @throws TypeError when graphqlPath is not a plain absolute path.
 */
export function playgroundRouter(options: PlaygroundOptions): Router {
  const { graphqlPath } = options;
  // A plain path only: it is used as an Express route (where ':' '*' '(' mean
  // something) and embedded in the page, so anything odd is a config mistake.
  if (!/^\/[A-Za-z0-9._~\-/]*$/.test(graphqlPath) || graphqlPath.startsWith('//')) {
    throw new TypeError(`graphqlPath must be a plain absolute path, got ${JSON.stringify(graphqlPath)}`);
  }
  const assetsDir = path.resolve(options.assetsDir ?? defaultAssetsDir());
  const router = express.Router();

  router.get(graphqlPath, (req: Request, res: Response, next: NextFunction) => {
    // The same URL answers JSON or HTML depending on Accept, so caches must key on it.
    res.vary('Accept');
    if (req.accepts(['application/json', 'application/graphql-response+json', 'text/html']) !== 'text/html') {
      next();
      return;
    }
    sendPage(res, graphqlPath, assetsDir).catch(next);
  });

  router.use(PLAYGROUND_ASSETS_PATH, (req: Request, res: Response, next: NextFunction) => {
    serveAsset(req, res, assetsDir).catch(next);
  });

  return router;
}

/** Renders the page, or a 503 telling the operator how to build the bundle. */
async function sendPage(res: Response, graphqlPath: string, assetsDir: string): Promise<void> {
  const manifest = await readManifest(assetsDir);
  const complete = manifest !== undefined && (await filesExist(assetsDir, [manifest.script, manifest.style]));
  setPageSecurityHeaders(res);
  res.set('Cache-Control', 'no-cache');
  if (!complete) {
    res
      .status(503)
      .type('text/plain')
      .send(
        'dockql playground: the GraphiQL bundle is not built.\n' +
          'Run `npm run build` (or `node scripts/build-playground.mjs`) and reload.\n' +
          `The GraphQL API itself works: POST ${graphqlPath}\n`,
      );
    return;
  }
  res.status(200).type('html').send(renderPage(graphqlPath, manifest));
}

/**
 * The page. Asset URLs are root-relative and same-origin; the config is an inert
 * JSON data block, so `script-src 'self'` needs no nonce or hash. The empty
 * data: icon stops the browser asking for /favicon.ico, which nothing serves.
 */
function renderPage(graphqlPath: string, manifest: Manifest): string {
  const asset = (name: string) => escapeHtml(`${PLAYGROUND_ASSETS_PATH}/${encodeURIComponent(name)}`);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>dockql playground</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${asset(manifest.style)}">
<style>html,body,#${ROOT_ELEMENT_ID}{height:100%;margin:0}</style>
</head>
<body>
<noscript>The dockql playground needs JavaScript. The GraphQL API is at POST ${escapeHtml(graphqlPath)}.</noscript>
<div id="${ROOT_ELEMENT_ID}"></div>
<script type="application/json" id="${CONFIG_ELEMENT_ID}">${jsonForScript({ graphqlPath })}</script>
<script src="${asset(manifest.script)}" defer></script>
</body>
</html>
`;
}

/** Serves one file listed in the manifest; 404 JSON for anything else. */
async function serveAsset(req: Request, res: Response, assetsDir: string): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.set('Allow', 'GET, HEAD').status(405).json({ error: 'METHOD_NOT_ALLOWED', message: `${req.method} is not allowed here` });
    return;
  }
  // req.path is relative to the mount point: "/playground.bundle.js".
  const name = decodeSafely(req.path.slice(1));
  const manifest = await readManifest(assetsDir);
  // Only manifest entries: the same directory also holds the server's compiled
  // playground.js, which must never be served. Object.hasOwn keeps
  // "__proto__"-style names from matching inherited keys.
  if (name === undefined || manifest === undefined || !Object.hasOwn(manifest.files, name)) {
    sendNotFound(res, req.originalUrl);
    return;
  }
  await new Promise<void>((resolve, reject) => {
    res.sendFile(
      name,
      {
        root: assetsDir,
        dotfiles: 'deny',
        // Names are stable across builds, so revalidate each time (ETag/Last-Modified
        // make that a cheap 304) rather than risk a stale bundle after a rebuild.
        cacheControl: false,
        headers: {
          'Cache-Control': 'no-cache',
          'X-Content-Type-Options': 'nosniff',
          'Cross-Origin-Resource-Policy': 'same-origin',
        },
      },
      (err?: Error & { status?: number; code?: string }) => {
        if (!err) return resolve();
        if (res.headersSent) return resolve(); // client went away mid-transfer: nothing to answer
        // Listed but gone: a rebuild or cleanup is in progress.
        if (err.status === 404 || err.code === 'ENOENT') {
          sendNotFound(res, req.originalUrl);
          return resolve();
        }
        reject(err);
      },
    );
  });
}

function sendNotFound(res: Response, url: string): void {
  res.status(404).json({ error: 'NOT_FOUND', message: `no playground asset at ${url}` });
}

/**
 * Reads manifest.json on every request: it is a few hundred bytes, and re-reading
 * means a rebuild while the server runs is picked up without a restart.
 * Returns undefined when missing or malformed (treated as "not built").
 */
async function readManifest(assetsDir: string): Promise<Manifest | undefined> {
  let text: string;
  try {
    text = await fs.readFile(path.join(assetsDir, MANIFEST_FILE), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    const parsed: unknown = JSON.parse(text);
    return isManifest(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** Shape check, including that every name is a bare file name (no path tricks). */
function isManifest(value: unknown): value is Manifest {
  if (typeof value !== 'object' || value === null) return false;
  const m = value as Record<string, unknown>;
  if (typeof m.script !== 'string' || typeof m.style !== 'string') return false;
  if (typeof m.files !== 'object' || m.files === null || Array.isArray(m.files)) return false;
  const names = Object.keys(m.files);
  return (
    names.every((n) => /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(n)) && names.includes(m.script) && names.includes(m.style)
  );
}

async function filesExist(dir: string, names: string[]): Promise<boolean> {
  const results = await Promise.all(
    names.map((n) =>
      fs.stat(path.join(dir, n)).then(
        (s) => s.isFile(),
        () => false,
      ),
    ),
  );
  return results.every(Boolean);
}

function setPageSecurityHeaders(res: Response): void {
  res.set({
    'Content-Security-Policy': PLAYGROUND_CSP,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    // Legacy twin of frame-ancestors 'none' for browsers that predate CSP 2.
    'X-Frame-Options': 'DENY',
  });
}

/** decodeURIComponent that yields undefined instead of throwing on bad escapes. */
function decodeSafely(s: string): string | undefined {
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** JSON that cannot close its `<script>` element or open a comment inside it. */
function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
