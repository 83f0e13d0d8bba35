/**
 * What the rest of dockql tells metrics, as one small interface: transports,
 * the daemon client and the job stores call it (through hooks wired in
 * server.ts) and never see prom-client. {@link NO_METRICS} is the default
 * where nothing is wired.
 */
import type { DaemonRequestRecord } from '../docker/request-observer';
import type { TransferJob } from '../streams/transfer-jobs';

/** The GraphQL transports. */
export type Transport = 'http' | 'ws';

/** One finished GraphQL operation. */
export interface OperationRecord {
  /** The operation name the client sent or the document declares (bounded by the recorder). */
  readonly name: string | null | undefined;
  /** Undefined when the document never got that far (parse or validation errors). */
  readonly type: 'query' | 'mutation' | 'subscription' | undefined;
  readonly transport: Transport;
  /** `ok`, or the first error's `extensions.code`. */
  readonly outcome: string;
  /** Seconds it took; left out for subscriptions, whose lifetime is not a latency. */
  readonly seconds?: number;
}

/** Where archive bytes went: jobs between the daemon and the store, and the HTTP routes. */
export type ArchiveDirection = 'saved' | 'exported' | 'loaded' | 'imported' | 'uploaded' | 'downloaded';

/** Everything dockql reports to metrics. Implementations never throw. */
export interface MetricsRecorder {
  operation(record: OperationRecord): void;
  webSocketOpened(): void;
  webSocketClosed(): void;
  subscriptionStarted(): void;
  subscriptionEnded(): void;
  daemonRequest(record: DaemonRequestRecord): void;
  /** A pull, push or archive job reached its final state. */
  jobFinished(job: TransferJob): void;
  /** Bytes of archive moved by the HTTP routes (jobs are counted from {@link jobFinished}). */
  archiveBytes(direction: ArchiveDirection, bytes: number): void;
  /** The shared daemon event stream was re-established after a break. */
  eventStreamReconnected(): void;
}

const noop = (): void => undefined;

/** A recorder that records nothing. */
export const NO_METRICS: MetricsRecorder = {
  operation: noop,
  webSocketOpened: noop,
  webSocketClosed: noop,
  subscriptionStarted: noop,
  subscriptionEnded: noop,
  daemonRequest: noop,
  jobFinished: noop,
  archiveBytes: noop,
  eventStreamReconnected: noop,
};
