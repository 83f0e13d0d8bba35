/**
 * A unix-socket proxy in front of the daemon that knows which of its
 * connections are still open and which requests each carried: tests check
 * that a long-lived daemon stream (`GET /events`) is opened once and really
 * closed afterwards, which request counts alone cannot show.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** A running tracker. */
export interface ConnectionTracker {
  /** Point DOCKER_HOST (or another proxy) here: unix://<socketPath>. */
  readonly dockerHost: string;
  /** Connections that carried a request whose path (without /v1.xx) starts with `prefix`, opened since start. */
  opened(prefix: string): number;
  /** Of those, the ones still open now. */
  open(prefix: string): number;
  close(): Promise<void>;
}

const REQUEST_LINE = /(?:^|\r\n)(?:GET|POST|PUT|DELETE|HEAD) (\/\S*) HTTP\/1\.[01]\r\n/g;

interface Tracked {
  readonly paths: string[];
  closed: boolean;
}

/** Starts a tracker forwarding to the daemon socket behind `target` (unix://...). */
export async function startConnectionTracker(target: string): Promise<ConnectionTracker> {
  const targetPath = target.replace(/^unix:\/\//, '');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'dq-track-'));
  const socketPath = path.join(dir, 'docker.sock');
  const tracked: Tracked[] = [];
  const sockets = new Set<net.Socket>();

  const server = net.createServer((client) => {
    const upstream = net.connect(targetPath);
    const entry: Tracked = { paths: [], closed: false };
    tracked.push(entry);
    sockets.add(client).add(upstream);
    client.on('data', (chunk: Buffer) => {
      for (const m of chunk.toString('latin1').matchAll(REQUEST_LINE)) entry.paths.push(m[1]!.replace(/^\/v\d+\.\d+/, ''));
    });
    client.pipe(upstream).pipe(client);
    const drop = () => {
      entry.closed = true;
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
  });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));

  const carrying = (prefix: string) => tracked.filter((t) => t.paths.some((p) => p.startsWith(prefix)));
  return {
    dockerHost: `unix://${socketPath}`,
    opened: (prefix) => carrying(prefix).length,
    open: (prefix) => carrying(prefix).filter((t) => !t.closed).length,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
