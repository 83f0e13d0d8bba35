/**
 * Where the CLI sends its requests: the one place it reads its environment
 * (DOCKQL_SERVER, DOCKQL_TOKEN), flags first. The server's own settings live in
 * src/config.ts; the CLI shares none of them.
 */
import { type OptionValues, stringOption } from './args';
import { UsageError } from './errors';

/** The default endpoint: a server started with `npm start` on this host. */
export const DEFAULT_SERVER = 'http://127.0.0.1:4000/graphql';

/** Resolved client settings. */
export interface ClientSettings {
  /** The GraphQL endpoint, http(s)://host:port/path. */
  readonly server: string;
  /** The token; undefined when none was given (a server without tokens needs none). */
  readonly token?: string;
}

/**
 * --server / DOCKQL_SERVER (default {@link DEFAULT_SERVER}); a URL without a
 * path gets /graphql. --token / DOCKQL_TOKEN.
 * @throws UsageError when the server is not an http(s) URL
 */
export function resolveSettings(values: OptionValues, env: NodeJS.ProcessEnv): ClientSettings {
  const raw = stringOption(values, 'server') ?? (env.DOCKQL_SERVER || DEFAULT_SERVER);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`--server ${JSON.stringify(raw)} is not a URL; give one like ${DEFAULT_SERVER}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--server must be an http:// or https:// URL, not ${url.protocol}`);
  if (url.username || url.password) throw new UsageError('--server must not carry credentials; give the token with --token or DOCKQL_TOKEN');
  if (url.pathname === '/' || url.pathname === '') url.pathname = '/graphql';
  url.hash = '';
  const token = stringOption(values, 'token') ?? (env.DOCKQL_TOKEN || undefined);
  return { server: url.toString(), token: token?.trim() || undefined };
}

/** ws(s):// for the same endpoint. */
export function webSocketUrl(server: string): string {
  return server.replace(/^http/, 'ws');
}

/**
 * The archive route for `name` beside the GraphQL endpoint: /graphql → /archives/<name>,
 * keeping any prefix a reverse proxy adds (/dockql/graphql → /dockql/archives/<name>).
 */
export function archiveUrl(server: string, name: string): string {
  const url = new URL(server);
  url.search = '';
  const base = url.pathname.replace(/\/graphql\/?$/, '').replace(/\/$/, '');
  url.pathname = `${base}/archives/${encodeURIComponent(name)}`;
  return url.toString();
}
