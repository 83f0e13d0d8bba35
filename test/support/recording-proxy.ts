/**
 * An HTTP proxy on 127.0.0.1 in front of a registry that records every request
 * and how many ran at once: tests check which registry requests a query made
 * (digests only for the tags asked) and that they stay within the bound.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the registry received through the proxy. */
export interface ProxiedRequest {
  readonly method: string;
  /** Path and query. */
  readonly path: string;
}

/** A running proxy. */
export interface RecordingProxy {
  /** 127.0.0.1:<port>: use it as the registry host. */
  readonly host: string;
  readonly requests: ProxiedRequest[];
  /** Most requests of `method` in flight at once since start or reset(). */
  maxInFlight(method: string): number;
  reset(): void;
  close(): Promise<void>;
}

/**
 * Forwards to `target` (host:port, plain http), holding each `delayMethod`
 * request for `delayMs` first so that concurrent requests overlap visibly.
 */
export async function startRecordingProxy(target: string, options: { delayMethod?: string; delayMs?: number } = {}): Promise<RecordingProxy> {
  const [targetHost = '127.0.0.1', targetPort = '80'] = target.split(':');
  const requests: ProxiedRequest[] = [];
  const inFlight = new Map<string, number>();
  const max = new Map<string, number>();

  const server = http.createServer((req, res) => {
    const method = req.method ?? 'GET';
    requests.push({ method, path: req.url ?? '/' });
    const now = (inFlight.get(method) ?? 0) + 1;
    inFlight.set(method, now);
    max.set(method, Math.max(max.get(method) ?? 0, now));
    let done = false;
    const finish = () => {
      if (!done) inFlight.set(method, (inFlight.get(method) ?? 1) - 1);
      done = true;
    };
    res.on('close', finish);
    const forward = () => {
      const upstream = http.request({ host: targetHost, port: Number(targetPort), method, path: req.url, headers: { ...req.headers, host: target } }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      upstream.on('error', () => res.destroy());
      req.pipe(upstream);
    };
    if (options.delayMethod === method) setTimeout(forward, options.delayMs ?? 100);
    else forward();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

  return {
    host: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    maxInFlight: (method) => max.get(method) ?? 0,
    reset: () => {
      requests.length = 0;
      max.clear();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
