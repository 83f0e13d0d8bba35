/** The hooks metrics hang on: a job store's onFinished (once per job, however it ends) and the event hub's onReconnected. */
import { PassThrough } from 'node:stream';
import { createLogger } from '../../src/logger';
import { DaemonEventHub } from '../../src/streams/daemon-events';
import { type TransferJob, TransferJobs } from '../../src/streams/transfer-jobs';

const RETENTION = { retentionMs: 60_000, maxFinished: 10 };
const settle = () => new Promise((r) => setImmediate(r));

describe('TransferJobs onFinished', () => {
  it('hears of each job once, in its final state: succeeded, failed, canceled; a merged caller adds nothing', async () => {
    const finished: Array<[string, string]> = [];
    const jobs = new TransferJobs(RETENTION, { onFinished: (job) => void finished.push([job.spec.ref, job.status]) });
    const ok = jobs.run({ kind: 'pull', key: 'a', ref: 'a' }, async () => ({}));
    const merged = jobs.run({ kind: 'pull', key: 'a', ref: 'a' }, async () => ({}));
    expect(merged.merged).toBe(true);
    const bad = jobs.run({ kind: 'pull', key: 'b', ref: 'b' }, async () => {
      throw new Error('manifest unknown');
    });
    const slow = jobs.run({ kind: 'pull', key: 'c', ref: 'c' }, (job: TransferJob) => new Promise((_, reject) => job.signal.addEventListener('abort', () => reject(new Error('aborted')))));
    await Promise.all([ok.job.whenFinished(), bad.job.whenFinished()]);
    slow.job.cancel();
    await slow.job.whenFinished();
    await settle();
    expect(finished.sort()).toEqual([
      ['a', 'SUCCEEDED'],
      ['b', 'FAILED'],
      ['c', 'CANCELED'],
    ]);
  });

  it('keeps a job store working when the hook throws', async () => {
    const jobs = new TransferJobs(RETENTION, {
      onFinished: () => {
        throw new Error('broken recorder');
      },
    });
    const { job } = jobs.run({ kind: 'pull', key: 'a', ref: 'a' }, async () => ({ imageId: 'sha256:1' }));
    await job.whenFinished();
    await settle();
    expect(job.status).toBe('SUCCEEDED');
  });
});

describe('DaemonEventHub onReconnected', () => {
  it('is called each time the stream is re-established after a break, not for the first connection', async () => {
    const streams: PassThrough[] = [];
    let reconnects = 0;
    const hub = new DaemonEventHub({
      open: async () => {
        const s = new PassThrough();
        streams.push(s);
        return s;
      },
      bufferSize: 10,
      log: createLogger('silent'),
      backoff: { initialMs: 1, maxMs: 2, factor: 2, jitter: 0 },
      onReconnected: () => void reconnects++,
    });
    const sub = hub.subscribe((e) => e);
    const waitFor = async (check: () => boolean) => {
      for (let i = 0; i < 400 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
      expect(check()).toBe(true);
    };
    await waitFor(() => streams.length === 1);
    expect(reconnects).toBe(0);
    streams[0]!.end();
    await waitFor(() => reconnects === 1);
    streams[1]!.end();
    await waitFor(() => reconnects === 2);
    await sub.return!();
    await hub.dispose();
  });
});
