/**
 * A unix-socket proxy that timestamps the daemon's answers to chosen requests
 * (e.g. `POST /images/create`): when the request passed, when the first and the
 * last response bytes came back, and when the last complete JSON line of a
 * progress stream arrived. It observes only; bytes pass through unchanged.
 *
 * Put it in front of the counting proxy (test/support/counting-proxy.ts) so one
 * chain both counts and times: client -> timing proxy -> counting proxy -> daemon.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

/** One timed request/response exchange; times are `performance.now()` milliseconds. */
export interface TimedExchange {
  readonly method: string;
  /** Path and query, without the /v1.xx prefix. */
  readonly path: string;
  /** When the request line passed the proxy. */
  readonly requestAt: number;
  /** First response bytes (status line) from the daemon. */
  firstByteAt?: number;
  /** The data event that completed the last progress line (a `}` followed by `\r\n` or `\n`). */
  lastLineAt?: number;
  /** Last response bytes (for a chunked stream, its terminating chunk). */
  lastByteAt?: number;
  /** Response bytes, headers and chunk framing included. */
  bytes: number;
  /** Complete JSON lines seen in the response. */
  lines: number;
}

/** A running timing proxy. */
export interface StreamTimingProxy {
  /** Point DOCKER_HOST here: unix://<socketPath>. */
  readonly dockerHost: string;
  /** Exchanges that matched the filter, in request order, since start or the last reset(). */
  readonly exchanges: TimedExchange[];
  reset(): void;
  close(): Promise<void>;
}

/** Which requests to time. */
export type ExchangeFilter = (method: string, path: string) => boolean;

// The counting proxy's request-line pattern: a request line at the start of a chunk or after CRLF.
const REQUEST_LINE = /(?:^|\r\n)(GET|POST|PUT|DELETE|HEAD) (\/\S*) HTTP\/1\.[01]\r\n/g;
const CLOSE_BRACE = 0x7d;
const CR = 0x0d;
const LF = 0x0a;

/**
 * Counts progress-line ends in `chunk`: `}` then `\n`, or `}` then `\r\n` (moby's
 * stream formatter ends lines with CRLF). `before` holds the two bytes preceding
 * the chunk, since a line end may straddle two chunks; chunked framing (`<hex>\r\n`,
 * the CRLF after each chunk) never follows a `}` and is not counted.
 */
function countLineEnds(chunk: Buffer, before: readonly [number, number]): number {
  const at = (i: number): number => (i >= 0 ? chunk[i]! : before[2 + i]!);
  let lines = 0;
  for (let i = chunk.indexOf(LF); i !== -1; i = chunk.indexOf(LF, i + 1)) {
    if (at(i - 1) === CLOSE_BRACE || (at(i - 1) === CR && at(i - 2) === CLOSE_BRACE)) lines++;
  }
  return lines;
}

/** The last two bytes of `chunk` after `before`. */
function tail(chunk: Buffer, before: readonly [number, number]): [number, number] {
  if (chunk.length >= 2) return [chunk[chunk.length - 2]!, chunk[chunk.length - 1]!];
  return chunk.length === 1 ? [before[1], chunk[0]!] : [before[0], before[1]];
}

/**
 * Starts a proxy forwarding to the daemon socket behind `target` (unix://...),
 * timing the responses to requests for which `filter` is true.
 */
export async function startStreamTimingProxy(target: string, filter: ExchangeFilter): Promise<StreamTimingProxy> {
  const targetPath = target.replace(/^unix:\/\//, '');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'dq-timing-'));
  const socketPath = path.join(dir, 'docker.sock');
  const exchanges: TimedExchange[] = [];
  const sockets = new Set<net.Socket>();

  const server = net.createServer((client) => {
    const upstream = net.connect(targetPath);
    sockets.add(client).add(upstream);
    // HTTP/1.1 without pipelining: a response belongs to the last request line sent on its connection.
    let current: TimedExchange | undefined;
    let lastBytes: [number, number] = [0, 0];
    client.on('data', (chunk: Buffer) => {
      for (const m of chunk.toString('latin1').matchAll(REQUEST_LINE)) {
        const method = m[1]!;
        const requestPath = m[2]!.replace(/^\/v\d+\.\d+/, '');
        current = filter(method, requestPath) ? { method, path: requestPath, requestAt: performance.now(), bytes: 0, lines: 0 } : undefined;
        if (current) exchanges.push(current);
        lastBytes = [0, 0];
      }
    });
    upstream.on('data', (chunk: Buffer) => {
      if (!current) return;
      const now = performance.now();
      current.firstByteAt ??= now;
      current.lastByteAt = now;
      current.bytes += chunk.length;
      const lines = countLineEnds(chunk, lastBytes);
      if (lines > 0) {
        current.lines += lines;
        current.lastLineAt = now;
      }
      lastBytes = tail(chunk, lastBytes);
    });
    client.pipe(upstream).pipe(client);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
  });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));

  return {
    dockerHost: `unix://${socketPath}`,
    exchanges,
    reset: () => {
      exchanges.length = 0;
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
