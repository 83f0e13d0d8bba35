/**
 * The Metrics registry: dockql_* series with bounded labels, its own registry
 * per app (two apps in one process do not clash) plus the process metrics,
 * running jobs read from the job stores at scrape time.
 */
import { Metrics } from '../../src/metrics/metrics';
import { TransferJobs } from '../../src/streams/transfer-jobs';

const RETENTION = { retentionMs: 60_000, maxFinished: 10 };

/** The value of one sample line, e.g. `dockql_x{a="b"}`, or undefined when absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('Metrics', () => {
  it('two apps in one process each have their own series, and both show the process metrics', async () => {
    const a = new Metrics();
    const b = new Metrics();
    a.eventStreamReconnected();
    const [ta, tb] = [(await a.exposition()).body, (await b.exposition()).body];
    expect(sample(ta, 'dockql_daemon_event_stream_reconnects_total')).toBe(1);
    expect(sample(tb, 'dockql_daemon_event_stream_reconnects_total')).toBe(0);
    expect(ta).toMatch(/^process_cpu_user_seconds_total /m);
    expect(tb).toMatch(/^nodejs_eventloop_lag_seconds /m);
    expect((await a.exposition()).contentType).toMatch(/^text\/plain; version=0\.0\.4/);
  });

  it('counts operations by bounded name, type, transport and outcome, and times all but subscriptions', async () => {
    const m = new Metrics({ maxOperationNames: 2 });
    m.operation({ name: 'A', type: 'query', transport: 'http', outcome: 'ok', seconds: 0.01 });
    m.operation({ name: 'B', type: 'mutation', transport: 'ws', outcome: 'FORBIDDEN', seconds: 0.02 });
    m.operation({ name: 'C', type: 'query', transport: 'http', outcome: 'ok', seconds: 0.01 });
    m.operation({ name: 'not a name', type: undefined, transport: 'http', outcome: 'GRAPHQL_PARSE_FAILED', seconds: 0.001 });
    m.operation({ name: 'A', type: 'subscription', transport: 'ws', outcome: 'ok', seconds: 30 });
    const text = (await m.exposition()).body;
    expect(sample(text, 'dockql_graphql_operations_total{operation="A",type="query",transport="http",outcome="ok"}')).toBe(1);
    expect(sample(text, 'dockql_graphql_operations_total{operation="B",type="mutation",transport="ws",outcome="FORBIDDEN"}')).toBe(1);
    expect(sample(text, 'dockql_graphql_operations_total{operation="other",type="query",transport="http",outcome="ok"}')).toBe(1);
    expect(sample(text, 'dockql_graphql_operations_total{operation="other",type="unknown",transport="http",outcome="GRAPHQL_PARSE_FAILED"}')).toBe(1);
    expect(sample(text, 'dockql_graphql_operations_total{operation="A",type="subscription",transport="ws",outcome="ok"}')).toBe(1);
    expect(sample(text, 'dockql_graphql_operation_duration_seconds_count{operation="A",type="query",transport="http"}')).toBe(1);
    expect(text).not.toContain('dockql_graphql_operation_duration_seconds_count{operation="A",type="subscription"');
  });

  it('reads running jobs from the stores, counts finished ones by kind and status, and archive bytes by direction', async () => {
    const m = new Metrics();
    const jobs = new TransferJobs(RETENTION, { onFinished: (job) => m.jobFinished(job) });
    m.watchJobs(jobs);
    let release!: () => void;
    const running = jobs.run({ kind: 'pull', key: 'p', ref: 'busybox' }, () => new Promise((resolve) => (release = () => resolve({}))));
    const save = jobs.run({ kind: 'archive', key: 's', ref: 'busybox', details: { operation: 'SAVE' } }, async (job) => {
      job.countBytes(2048);
      throw new Error('disk full');
    });
    await save.job.whenFinished();
    await new Promise((r) => setImmediate(r));
    let text = (await m.exposition()).body;
    expect(sample(text, 'dockql_transfer_jobs_running{kind="pull"}')).toBe(1);
    expect(sample(text, 'dockql_transfer_jobs_running{kind="save"}')).toBe(0);
    expect(sample(text, 'dockql_transfer_jobs_finished_total{kind="save",status="failed"}')).toBe(1);
    expect(sample(text, 'dockql_archive_bytes_total{direction="saved"}')).toBe(2048);

    release();
    await running.job.whenFinished();
    await new Promise((r) => setImmediate(r));
    m.archiveBytes('downloaded', 100);
    m.archiveBytes('uploaded', Number.NaN);
    text = (await m.exposition()).body;
    expect(sample(text, 'dockql_transfer_jobs_running{kind="pull"}')).toBe(0);
    expect(sample(text, 'dockql_transfer_jobs_finished_total{kind="pull",status="succeeded"}')).toBe(1);
    expect(sample(text, 'dockql_archive_bytes_total{direction="downloaded"}')).toBe(100);
    expect(sample(text, 'dockql_archive_bytes_total{direction="uploaded"}')).toBeUndefined();
  });

  it('counts daemon requests by endpoint and status, and gauges sockets and subscriptions', async () => {
    const m = new Metrics();
    m.daemonRequest({ endpoint: 'GET /containers/{id}/json', status: '404', seconds: 0.003 });
    m.webSocketOpened();
    m.webSocketOpened();
    m.webSocketClosed();
    m.subscriptionStarted();
    const text = (await m.exposition()).body;
    expect(sample(text, 'dockql_daemon_requests_total{endpoint="GET /containers/{id}/json",status="404"}')).toBe(1);
    expect(sample(text, 'dockql_daemon_request_duration_seconds_count{endpoint="GET /containers/{id}/json"}')).toBe(1);
    expect(sample(text, 'dockql_websocket_connections')).toBe(1);
    expect(sample(text, 'dockql_graphql_subscriptions_active')).toBe(1);
  });
});
