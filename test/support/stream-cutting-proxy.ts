/**
 * A unix-socket proxy in front of the daemon that interferes with one kind of
 * response half-way: after `afterBytes` bytes of the daemon's answer to a
 * request whose line matches, it either destroys both connections (the
 * daemon connection lost mid-save) or holds the rest back until released (a
 * save frozen mid-way, so a test can look at the directory and cancel it).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** What to do to the matching response once `afterBytes` have passed. */
export interface Interference {
  /** Matched against the request line's path (with the /v1.xx prefix), e.g. /\/images\/get/. */
  readonly path: RegExp;
  readonly afterBytes: number;
  readonly action: 'cut' | 'stall';
}

/** A running proxy. */
export interface StreamCuttingProxy {
  /** Point DOCKER_HOST here: unix://<socketPath>. */
  readonly dockerHost: string;
  /** Interferes with the next matching response (one at a time); replaces an earlier arm. */
  arm(interference: Interference): void;
  /** Resolves once a matching response was cut or stalled. */
  triggered(): Promise<void>;
  /** Lets stalled responses flow again and disarms. */
  release(): void;
  close(): Promise<void>;
}

const REQUEST_LINE = /(?:^|\r\n)(?:GET|POST|PUT|DELETE|HEAD) (\/\S*) HTTP\/1\.[01]\r\n/g;

/** Starts a proxy forwarding to the daemon socket behind `target` (unix://...). */
export async function startStreamCuttingProxy(target: string): Promise<StreamCuttingProxy> {
  const targetPath = target.replace(/^unix:\/\//, '');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'dq-cut-'));
  const socketPath = path.join(dir, 'docker.sock');
  const sockets = new Set<net.Socket>();
  let armed: Interference | undefined;
  let fired: () => void = () => undefined;
  let firedOnce: Promise<void> = new Promise((resolve) => (fired = resolve));
  const stalled = new Set<() => void>();

  const server = net.createServer((client) => {
    const upstream = net.connect(targetPath);
    sockets.add(client).add(upstream);
    // Bytes of the matching response seen on this connection; undefined while no matching request is in flight.
    let counting: { readonly rule: Interference; seen: number } | undefined;
    // True while a stalled response is held back: nothing may resume the daemon side then.
    let held = false;
    client.on('data', (chunk: Buffer) => {
      for (const m of chunk.toString('latin1').matchAll(REQUEST_LINE)) {
        if (armed && armed.path.test(m[1]!)) {
          counting = { rule: armed, seen: 0 };
          armed = undefined;
        }
      }
      if (!upstream.write(chunk)) client.pause();
    });
    upstream.on('drain', () => client.resume());
    client.on('drain', () => {
      if (!held) upstream.resume();
    });
    upstream.on('data', (chunk: Buffer) => {
      if (!counting || counting.seen + chunk.length <= counting.rule.afterBytes) {
        if (counting) counting.seen += chunk.length;
        if (!client.write(chunk)) upstream.pause();
        return;
      }
      const keep = counting.rule.afterBytes - counting.seen;
      client.write(chunk.subarray(0, keep));
      const rest = chunk.subarray(keep);
      const rule = counting.rule;
      counting = undefined;
      fired();
      if (rule.action === 'cut') {
        drop();
        return;
      }
      held = true;
      upstream.pause();
      const resume = () => {
        stalled.delete(resume);
        held = false;
        if (client.destroyed) return;
        client.write(rest);
        upstream.resume();
      };
      stalled.add(resume);
    });
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
    arm: (interference) => {
      armed = interference;
      firedOnce = new Promise((resolve) => (fired = resolve));
    },
    triggered: () => firedOnce,
    release: () => {
      armed = undefined;
      for (const resume of [...stalled]) resume();
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
