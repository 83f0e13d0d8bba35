/**
 * The Prometheus metrics of one app: a registry of its own (never
 * prom-client's global one, so several apps in one process, as in tests, do
 * not clash) holding every `dockql_*` series, plus the process's default
 * metrics (CPU, memory, event loop, GC), which are per process and so
 * collected once into a registry shared by every app.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { DaemonRequestRecord } from '../docker/request-observer';
import type { TransferJob, TransferJobs, TransferKind } from '../streams/transfer-jobs';
import { archiveDirectionOf, BoundedLabel, jobKindLabel, operationNameLabel } from './labels';
import type { ArchiveDirection, MetricsRecorder, OperationRecord } from './recorder';

/** Latency buckets (seconds) of GraphQL operations and daemon requests: from a cached read to a slow registry search. */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** Distinct operation names kept as labels; later new names read `other`. */
const DEFAULT_MAX_OPERATION_NAMES = 200;

/** Every value of the running jobs' `kind` label, so that idle kinds read 0 rather than vanish. */
const JOB_KINDS = ['pull', 'push', 'save', 'export', 'load', 'import'];
const STORE_KINDS: readonly TransferKind[] = ['pull', 'push', 'archive'];

let processRegistry: Registry | undefined;

/** The process-wide registry of prom-client's default metrics (made on first use). */
function defaultMetricsRegistry(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

/** The metric objects of one app, and the {@link MetricsRecorder} that feeds them. */
export class Metrics implements MetricsRecorder {
  readonly registry = new Registry();
  private readonly names: BoundedLabel;
  private readonly jobStores = new Set<TransferJobs>();
  private readonly operations: Counter<'operation' | 'type' | 'transport' | 'outcome'>;
  private readonly operationSeconds: Histogram<'operation' | 'type' | 'transport'>;
  private readonly webSockets: Gauge;
  private readonly subscriptions: Gauge;
  private readonly daemonRequests: Counter<'endpoint' | 'status'>;
  private readonly daemonSeconds: Histogram<'endpoint'>;
  private readonly jobsFinished: Counter<'kind' | 'status'>;
  private readonly archiveBytesTotal: Counter<'direction'>;
  private readonly reconnects: Counter;

  constructor(options: { maxOperationNames?: number } = {}) {
    this.names = new BoundedLabel(options.maxOperationNames ?? DEFAULT_MAX_OPERATION_NAMES);
    const registers = [this.registry];
    this.operations = new Counter({
      name: 'dockql_graphql_operations_total',
      help: 'GraphQL operations finished, by operation name, type, transport and outcome (ok or the first error code).',
      labelNames: ['operation', 'type', 'transport', 'outcome'],
      registers,
    });
    this.operationSeconds = new Histogram({
      name: 'dockql_graphql_operation_duration_seconds',
      help: 'Time from a GraphQL query or mutation arriving to its result (subscriptions are not timed).',
      labelNames: ['operation', 'type', 'transport'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.webSockets = new Gauge({ name: 'dockql_websocket_connections', help: 'Open WebSocket connections on the GraphQL path.', registers });
    this.subscriptions = new Gauge({ name: 'dockql_graphql_subscriptions_active', help: 'GraphQL subscriptions currently running over WebSocket.', registers });
    this.daemonRequests = new Counter({
      name: 'dockql_daemon_requests_total',
      help: 'Requests to the Docker Engine API, by endpoint template and HTTP status (error: no answer).',
      labelNames: ['endpoint', 'status'],
      registers,
    });
    this.daemonSeconds = new Histogram({
      name: 'dockql_daemon_request_duration_seconds',
      help: 'Time until the Docker daemon answered: the whole body, or the headers for streams (pulls, logs, events).',
      labelNames: ['endpoint'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.jobsFinished = new Counter({
      name: 'dockql_transfer_jobs_finished_total',
      help: 'Pull, push and archive jobs that reached a final state, by kind and status.',
      labelNames: ['kind', 'status'],
      registers,
    });
    const stores = this.jobStores;
    new Gauge({
      name: 'dockql_transfer_jobs_running',
      help: 'Pull, push and archive jobs running now, by kind.',
      labelNames: ['kind'],
      registers,
      collect() {
        // Read from the job stores at scrape time: nothing to keep in step with every job's life.
        this.reset();
        for (const kind of JOB_KINDS) this.set({ kind }, 0);
        for (const store of stores) {
          for (const kind of STORE_KINDS) for (const job of store.list(kind)) if (!job.finished) this.inc({ kind: jobKindLabel(job) });
        }
      },
    });
    this.archiveBytesTotal = new Counter({
      name: 'dockql_archive_bytes_total',
      help: 'Bytes of archives moved, by direction; counted when each transfer ends, whatever its outcome (HTTP: completed transfers).',
      labelNames: ['direction'],
      registers,
    });
    this.reconnects = new Counter({ name: 'dockql_daemon_event_stream_reconnects_total', help: "Times the shared daemon /events stream was re-established after a break.", registers });
  }

  /** Counts `jobs`' running jobs in `dockql_transfer_jobs_running`. */
  watchJobs(jobs: TransferJobs): void {
    this.jobStores.add(jobs);
  }

  /** The text exposition of this app's series and the process's default metrics. */
  async exposition(): Promise<{ contentType: string; body: string }> {
    const merged = Registry.merge([defaultMetricsRegistry(), this.registry]);
    return { contentType: merged.contentType, body: await merged.metrics() };
  }

  operation(record: OperationRecord): void {
    const labels = { operation: this.names.of(operationNameLabel(record.name)), type: record.type ?? 'unknown', transport: record.transport };
    this.operations.inc({ ...labels, outcome: record.outcome });
    if (record.seconds !== undefined && record.type !== 'subscription') this.operationSeconds.observe(labels, record.seconds);
  }

  webSocketOpened(): void {
    this.webSockets.inc();
  }

  webSocketClosed(): void {
    this.webSockets.dec();
  }

  subscriptionStarted(): void {
    this.subscriptions.inc();
  }

  subscriptionEnded(): void {
    this.subscriptions.dec();
  }

  daemonRequest(record: DaemonRequestRecord): void {
    this.daemonRequests.inc({ endpoint: record.endpoint, status: record.status });
    this.daemonSeconds.observe({ endpoint: record.endpoint }, record.seconds);
  }

  jobFinished(job: TransferJob): void {
    this.jobsFinished.inc({ kind: jobKindLabel(job), status: job.status.toLowerCase() });
    const direction = archiveDirectionOf(job);
    if (direction !== undefined && job.bytesDone > 0) this.archiveBytes(direction, job.bytesDone);
  }

  archiveBytes(direction: ArchiveDirection, bytes: number): void {
    if (Number.isFinite(bytes) && bytes > 0) this.archiveBytesTotal.inc({ direction }, bytes);
  }

  eventStreamReconnected(): void {
    this.reconnects.inc();
  }
}
