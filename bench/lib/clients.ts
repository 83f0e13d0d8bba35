/**
 * The HTTP clients a bench times: the raw Engine API over its unix socket, and
 * dockql's GraphQL endpoint. Both keep connections alive, as any real client
 * would, and both read the whole body before resolving.
 */
import http from 'node:http';

/** Sends `options` (with `body`, if any) and resolves with the full body; rejects on a non-2xx status. */
function request(options: http.RequestOptions, body?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.request(options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const status = res.statusCode ?? 0;
        if (status >= 200 && status < 300) resolve(text);
        else reject(new Error(`${options.method ?? 'GET'} ${options.path} answered ${status}: ${text.slice(0, 200)}`));
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** A raw Engine API client on a unix socket, the way a hand-written client would call it. */
export class EngineApiClient {
  private readonly agent = new http.Agent({ keepAlive: true });

  constructor(private readonly socketPath: string) {}

  /** `GET <path>` (e.g. `/v1.41/containers/json?all=1`); resolves with the body text. */
  get(path: string): Promise<string> {
    return request({ socketPath: this.socketPath, path, method: 'GET', agent: this.agent });
  }

  /** Closes the kept-alive connections. */
  close(): void {
    this.agent.destroy();
  }
}

/** A minimal GraphQL-over-HTTP client (POST, JSON). */
export class GraphqlClient {
  private readonly agent = new http.Agent({ keepAlive: true });
  private readonly url: URL;

  constructor(graphqlUrl: string) {
    this.url = new URL(graphqlUrl);
  }

  /** POSTs `{ query }`; resolves with the response body text (errors are in there, not thrown). */
  post(query: string): Promise<string> {
    const body = JSON.stringify({ query });
    return request(
      {
        host: this.url.hostname,
        port: this.url.port,
        path: this.url.pathname,
        method: 'POST',
        agent: this.agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      body,
    );
  }

  /** Closes the kept-alive connections. */
  close(): void {
    this.agent.destroy();
  }
}

/**
 * The `data` of a GraphQL response body.
 * @throws when the body has errors or no data: a bench must not time failures.
 */
export function graphqlData(body: string): Record<string, unknown> {
  const parsed = JSON.parse(body) as { data?: Record<string, unknown> | null; errors?: { message: string }[] };
  if (parsed.errors?.length) throw new Error(`GraphQL errors: ${parsed.errors.map((e) => e.message).join('; ')}`);
  if (!parsed.data) throw new Error('GraphQL response has no data');
  return parsed.data;
}
