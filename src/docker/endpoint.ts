/**
 * Daemon request paths as bounded templates (`GET /containers/{id}/json`), for
 * metrics: a label must not carry container ids or image names, or every new
 * container would make new series. Only words from the tables below survive;
 * anything else becomes `{id}`, `{name}` or `{other}`, so the set of templates
 * is finite whatever the daemon is asked.
 */

/** Collection-level verbs of each top-level resource (the second path segment when it is not an id). */
const COLLECTION_VERBS: Readonly<Record<string, readonly string[]>> = {
  _ping: [],
  auth: [],
  build: ['prune', 'cancel'],
  commit: [],
  configs: ['create'],
  containers: ['json', 'create', 'prune'],
  distribution: [],
  events: [],
  exec: [],
  images: ['json', 'create', 'search', 'prune', 'load', 'get'],
  info: [],
  networks: ['create', 'prune'],
  nodes: [],
  plugins: ['pull', 'privileges', 'create'],
  secrets: ['create'],
  services: ['create'],
  session: [],
  swarm: ['init', 'join', 'leave', 'update', 'unlock', 'unlockkey'],
  system: ['df'],
  tasks: [],
  version: [],
  volumes: ['create', 'prune'],
};

/** Actions on one object (the segment after its id). */
const OBJECT_ACTIONS = new Set([
  'archive', 'attach', 'changes', 'connect', 'disable', 'disconnect', 'enable', 'exec', 'export', 'get', 'history',
  'json', 'kill', 'logs', 'pause', 'push', 'rename', 'resize', 'restart', 'set', 'start', 'stats', 'stop', 'tag',
  'top', 'unpause', 'update', 'upgrade', 'wait', 'ws',
]);

/** Resources whose objects are named (images, plugins, registries' repositories) rather than identified. */
const NAMED = new Set(['images', 'distribution', 'plugins']);

/**
 * The bounded template of a daemon request, method first: `GET /containers/{id}/json`.
 * @param path the path as dockerode or dial() gives it: without the API version, maybe with a query string.
 */
export function daemonEndpoint(method: string, path: string): string {
  const verb = /^[A-Z]{1,7}$/.test(method) ? method : 'OTHER';
  return `${verb} ${pathTemplate(path)}`;
}

function pathTemplate(path: string): string {
  // The API version prefix appears only when a caller wrote it itself; docker-modem adds it after we see the path.
  const segments = path.split('?')[0]!.split('/').filter((s) => s !== '');
  if (segments[0] !== undefined && /^v\d+\.\d+$/.test(segments[0])) segments.shift();
  const [root, second, third, ...rest] = segments;
  if (root === undefined) return '/';
  const verbs = Object.hasOwn(COLLECTION_VERBS, root) ? COLLECTION_VERBS[root]! : undefined;
  if (verbs === undefined) return '/{other}';
  if (second === undefined) return `/${root}`;
  if (third === undefined && verbs.includes(second)) return `/${root}/${second}`;
  const object = `/${root}/${NAMED.has(root) ? '{name}' : '{id}'}`;
  if (third === undefined) return object;
  const action = OBJECT_ACTIONS.has(third) ? third : '{other}';
  return `${object}/${action}${rest.length > 0 ? '/{other}' : ''}`;
}
