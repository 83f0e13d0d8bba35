/**
 * The ops story of a daemon restart under a dashboard: the daemon goes down
 * and comes back, and the same subscriptions keep delivering what happens
 * after; `events` subscribers are told about the gap.
 *
 * This file restarts a daemon, so it starts its OWN private engine (in a
 * mkdtemp dir, offline) and purges it afterwards: the shared test engine,
 * which other test files use in parallel workers, is never restarted.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Client } from 'graphql-ws';
import { startTestApp, type TestApp } from '../support/app';
import { type CountingProxy, startCountingProxy } from '../support/counting-proxy';
import { parseEngineEnv, runEngineScript } from '../support/engine';
import { BUSYBOX, TEST_LABEL } from '../support/fixtures';
import { wsClient } from '../support/graphql';
import { type RecordedSubscription, recordSubscription } from '../support/subscription-recorder';

const OWNER = 'events-restart';

let engineDir: string | undefined;
let host: string;
let proxy: CountingProxy;
let api: TestApp;
let client: Client;

/** The docker CLI against this file's own engine. */
function dockerHere(args: string[]): Promise<string> {
  const env = { ...process.env };
  for (const name of ['DOCKER_HOST', 'DOCKER_CONTEXT', 'DOCKER_TLS_VERIFY', 'DOCKER_CERT_PATH', 'DOCKER_TLS']) delete env[name];
  return new Promise((resolve, reject) => {
    execFile('docker', ['-H', host, ...args], { env, timeout: 60_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`docker ${args.join(' ')} failed: ${String(stderr).trim() || error.message}`));
      else resolve(String(stdout).trim());
    });
  });
}

async function until(check: () => boolean, what: string, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const eventsRequests = () => proxy.requests.filter((r) => r.method === 'GET' && r.path.startsWith('/events')).length;

beforeAll(async () => {
  // Under the OS temp dir the socket path stays below the ~108 byte limit.
  engineDir = await mkdtemp(path.join(os.tmpdir(), 'dockql-restart-'));
  host = parseEngineEnv(await runEngineScript(['start'], engineDir)).dockerHost;
  proxy = await startCountingProxy(host);
  api = await startTestApp({ dockerHost: proxy.dockerHost });
  client = wsClient(api.wsUrl);
}, 180_000);

afterAll(async () => {
  await client?.dispose();
  await api?.stop();
  await proxy?.close();
  if (engineDir) {
    // Removes every container of this engine, both daemons' processes and the state dir.
    await runEngineScript(['stop', '--purge'], engineDir);
    await rm(engineDir, { recursive: true, force: true });
  }
}, 180_000);

it('keeps a containerEvents subscription delivering across a daemon restart, and tells `events` subscribers about the gap', async () => {
  const containers: RecordedSubscription<{ containerEvents: { action: string; name: string } }> = recordSubscription(
    client,
    `subscription { containerEvents(filter: { labels: ["${TEST_LABEL}=${OWNER}"] }) { action name } }`,
  );
  const daemon: RecordedSubscription<{ events: { type: string; action: string; actorId: string; time: string; attributes: Array<{ key: string; value: string }> } }> = recordSubscription(
    client,
    'subscription { events(filter: { types: [DAEMON] }) { type action actorId time attributes { key value } } }',
  );
  await until(() => api.app.eventHub.stats().subscribers === 2 && api.app.eventHub.stats().connected, 'both subscriptions on an open daemon stream');
  const created = (name: string) => () => containers.results.some((r) => r.data?.containerEvents.action === 'create' && r.data.containerEvents.name === name);

  await dockerHere(['create', '--network', 'none', '--name', 'before-restart', '--label', `${TEST_LABEL}=${OWNER}`, BUSYBOX, 'true']);
  await containers.waitFor(created('before-restart'), 'the create event before the restart');
  expect(eventsRequests()).toBe(1);

  const stoppedAt = Date.now();
  await runEngineScript(['stop'], engineDir!);
  await until(() => !api.app.eventHub.stats().connected, 'the hub to notice the daemon is gone');
  expect(containers.completed).toBe(false);
  await runEngineScript(['start'], engineDir!);

  await dockerHere(['create', '--network', 'none', '--name', 'after-restart', '--label', `${TEST_LABEL}=${OWNER}`, BUSYBOX, 'true']);
  await containers.waitFor(created('after-restart'), 'the create event after the restart, on the same subscription');
  await daemon.waitFor(() => daemon.results.some((r) => r.data?.events.action === 'reconnected'), 'the DAEMON reconnected notice');

  expect(containers.completed).toBe(false);
  expect(containers.results.every((r) => r.errors === undefined)).toBe(true);
  // Nothing delivered twice: the replay after reconnecting (since = last event) is de-duplicated.
  const seen = containers.results.map((r) => `${r.data!.containerEvents.action} ${r.data!.containerEvents.name}`);
  expect(new Set(seen).size).toBe(seen.length);
  expect(seen.filter((s) => s === 'create after-restart')).toHaveLength(1);
  expect(seen.filter((s) => s === 'create before-restart')).toHaveLength(1);

  const notice = daemon.results.find((r) => r.data?.events.action === 'reconnected')!.data!.events;
  const attributes = Object.fromEntries(notice.attributes.map((a) => [a.key, a.value]));
  expect(notice).toMatchObject({ type: 'DAEMON', actorId: 'dockql' });
  const [gapStart, gapEnd] = [Date.parse(attributes.gapStart!), Date.parse(attributes.gapEnd!)];
  expect(attributes.gapStart).toBe(new Date(gapStart).toISOString());
  expect(gapStart).toBeGreaterThanOrEqual(stoppedAt - 1000);
  expect(gapEnd).toBeGreaterThanOrEqual(gapStart);
  expect(gapEnd).toBeLessThanOrEqual(Date.now());
  expect(Date.parse(notice.time)).toBe(gapEnd);
  expect(Number(attributes.attempts)).toBeGreaterThanOrEqual(1);
  expect(daemon.completed).toBe(false);
  // One connection before, at least one after; never one per subscriber.
  expect(eventsRequests()).toBeGreaterThanOrEqual(2);
  expect(api.app.eventHub.stats()).toMatchObject({ connected: true, subscribers: 2 });
});
