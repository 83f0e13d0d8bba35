/**
 * A unix-socket proxy in front of the daemon that records every HTTP request
 * line passing through: tests count daemon requests (N+1) and check that bad
 * input never reaches the daemon.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** One request the daemon received. */
export interface RecordedRequest {
  readonly method: string;
  /** Path and query, with any /v1.xx version prefix removed. */
  readonly path: string;
}

/** A running proxy. */
export interface CountingProxy {
  /** Point DOCKER_HOST here: unix://<socketPath>. */
  readonly dockerHost: string;
  /** Requests seen since start or the last reset(). */
  readonly requests: RecordedRequest[];
  reset(): void;
  close(): Promise<void>;
}

// A request line at the start of a chunk or after the previous message's CRLF. Bodies the
// API sends are JSON or tar streams, which never contain this shape.
const REQUEST_LINE = /(?:^|\r\n)(GET|POST|PUT|DELETE|HEAD) (\/\S*) HTTP\/1\.[01]\r\n/g;

/** Starts a proxy forwarding to the daemon socket behind `target` (unix://...). */
export async function startCountingProxy(target: string): Promise<CountingProxy> {
  const targetPath = target.replace(/^unix:\/\//, '');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'dq-proxy-'));
  const socketPath = path.join(dir, 'docker.sock');
  const requests: RecordedRequest[] = [];
  const sockets = new Set<net.Socket>();

  const server = net.createServer((client) => {
    const upstream = net.connect(targetPath);
    sockets.add(client).add(upstream);
    client.on('data', (chunk: Buffer) => {
      for (const m of chunk.toString('latin1').matchAll(REQUEST_LINE)) {
        requests.push({ method: m[1]!, path: m[2]!.replace(/^\/v\d+\.\d+/, '') });
      }
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
    requests,
    reset: () => {
      requests.length = 0;
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
