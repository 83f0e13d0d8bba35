/** The job store's archive side: byte counts, partial results kept on failure, no job running after shutdown, and the ArchiveJob view. */
import 'reflect-metadata';
import { ArchiveKind, ArchiveOrigin, type ArchiveInfo } from '../../src/archive/meta';
import { archiveJobSpec, toArchiveJob } from '../../src/schema/archive/archive-job.mapper';
import { ArchiveOperation } from '../../src/schema/archive/archive-job.type';
import { type TransferJob, TransferJobs } from '../../src/streams/transfer-jobs';

const INFO: ArchiveInfo = { name: 'a.tar', kind: ArchiveKind.IMAGES, origin: ArchiveOrigin.SAVED, size: 10, sha256: 'f'.repeat(64), createdAt: new Date(0), contents: ['a:1'], downloadUrl: '/archives/a.tar' };
const RETENTION = { retentionMs: 60_000, maxFinished: 10 };

/** Starts an archive job whose work is controlled by the test. */
function start(jobs: TransferJobs, operation = ArchiveOperation.LOAD, refs: string[] = []) {
  let settle!: { resolve: (r: object) => void; reject: (e: Error) => void };
  let seen!: TransferJob;
  const { job } = jobs.run({ kind: 'archive', key: `k${Math.random()}`, ...archiveJobSpec({ operation, archiveName: 'a.tar', refs }) }, (j) => {
    seen = j;
    return new Promise((resolve, reject) => (settle = { resolve, reject }));
  });
  const running = () => new Promise<void>((r) => setImmediate(r)).then(() => ({ settle, seen }));
  return { job, running };
}

describe('archive jobs in TransferJobs', () => {
  it('counts bytes (never backwards) and tells listeners', async () => {
    const jobs = new TransferJobs(RETENTION);
    const { job } = start(jobs);
    const heard: number[] = [];
    job.onChange(() => heard.push(job.bytesDone));
    job.countBytes(0, 100);
    job.countBytes(40);
    job.countBytes(30);
    expect([job.bytesDone, job.bytesTotal]).toEqual([40, 100]);
    expect(heard).toEqual([0, 40, 40]);
    expect(job.snapshot()).toEqual({ layers: [], current: 0, total: 0 });
    await jobs.dispose();
  });

  it('keeps what a job reported on the way when it fails, and merges the final result on success', async () => {
    const jobs = new TransferJobs(RETENTION);
    const failing = start(jobs);
    const a = await failing.running();
    failing.job.report({ archive: INFO });
    failing.job.report({ imageIds: ['sha256:1'] });
    a.settle.reject(new Error('the daemon said no'));
    await failing.job.whenFinished();
    expect(failing.job).toMatchObject({ status: 'FAILED', error: 'the daemon said no', result: { archive: INFO, imageIds: ['sha256:1'] } });
    failing.job.report({ imageIds: ['sha256:2'] });
    expect(failing.job.result?.imageIds).toEqual(['sha256:1']);

    const ok = start(jobs);
    const b = await ok.running();
    ok.job.report({ archive: INFO });
    b.settle.resolve({ imageIds: ['sha256:3'] });
    await ok.job.whenFinished();
    expect(ok.job.result).toEqual({ archive: INFO, imageIds: ['sha256:3'] });
  });

  it('after dispose, a new job is canceled from the start, and its work still runs (to release what it holds)', async () => {
    const jobs = new TransferJobs(RETENTION);
    await jobs.dispose();
    const late = start(jobs);
    expect(late.job.status).toBe('CANCELED');
    const { seen } = await late.running();
    expect(seen.signal.aborted).toBe(true);
  });

  it('lists archive jobs apart from other kinds', async () => {
    const jobs = new TransferJobs(RETENTION);
    const { job } = start(jobs);
    expect(jobs.list('archive')).toEqual([job]);
    expect(jobs.list('pull')).toEqual([]);
    expect(jobs.get(job.id, 'pull')).toBeUndefined();
    await jobs.dispose();
  });
});

describe('toArchiveJob', () => {
  it("shows a write's archive only once it succeeded, and a read's from the start", async () => {
    const jobs = new TransferJobs(RETENTION);
    const save = start(jobs, ArchiveOperation.SAVE, ['a:1', 'b:2']);
    save.job.report({ archive: INFO });
    expect(toArchiveJob(save.job)).toMatchObject({ operation: 'SAVE', status: 'RUNNING', archive: undefined, archiveName: 'a.tar', refs: ['a:1', 'b:2'], imageIds: [] });
    (await save.running()).settle.resolve({ archive: INFO });
    await save.job.whenFinished();
    expect(toArchiveJob(save.job)).toMatchObject({ status: 'SUCCEEDED', archive: { name: 'a.tar', size: 10 } });

    const load = start(jobs, ArchiveOperation.LOAD);
    load.job.report({ archive: INFO });
    expect(toArchiveJob(load.job)).toMatchObject({ operation: 'LOAD', archive: { name: 'a.tar' }, refs: [] });
    await jobs.dispose();
  });
});
