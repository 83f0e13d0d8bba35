/**
 * Watches every request one dockerode instance sends. All of them (dockerode's
 * own methods, dial(), the archive streams) go through docker-modem's `dial`,
 * so wrapping that one method of the instance sees each request exactly once,
 * without touching any call site.
 */
import type Dockerode from 'dockerode';
import { daemonEndpoint } from './endpoint';

/** One finished daemon request, as metrics see it. */
export interface DaemonRequestRecord {
  /** Bounded template, e.g. `GET /containers/{id}/json` (see endpoint.ts). */
  readonly endpoint: string;
  /** The daemon's HTTP status, or `error` when it never answered (refused, reset, aborted). */
  readonly status: string;
  /**
   * Seconds until the answer was in hand: the whole body for JSON answers, the
   * headers for streams (a pull's or a log's lifetime is not the request's latency).
   */
  readonly seconds: number;
}

/** Hears of every daemon request once it has its answer. */
export type DaemonRequestObserver = (record: DaemonRequestRecord) => void;

type DialCallback = (err: unknown, data: unknown) => void;
type DialOptions = { method?: string; path?: string; hijack?: boolean };
interface ModemInternals {
  dial(options: DialOptions, callback: DialCallback): unknown;
  buildPayload(...args: unknown[]): unknown;
}

/**
 * Wraps `docker.modem` so that `observer` hears of every request. The status of
 * a successful answer is taken where docker-modem reads it (`buildPayload`
 * gets the response; a successful `dial` callback only gets the parsed body).
 * An observer that throws never breaks the request.
 */
export function observeRequests(docker: Dockerode, observer: DaemonRequestObserver): void {
  const modem = docker.modem as unknown as ModemInternals;
  const dial = modem.dial.bind(modem);
  const buildPayload = modem.buildPayload.bind(modem);
  const statusOf = new WeakMap<DialCallback, number>();
  // buildPayload(err, isStream, statusCodes, openStdin, req, res, json, callback): the response and the callback dial was given.
  modem.buildPayload = (...args: unknown[]) => {
    const status = (args[5] as { statusCode?: unknown } | undefined)?.statusCode;
    if (typeof status === 'number' && typeof args[7] === 'function') statusOf.set(args[7] as DialCallback, status);
    return buildPayload(...args);
  };
  modem.dial = (options: DialOptions, callback: DialCallback) => {
    // Read before dial(): docker-modem prefixes options.path with the API version in place.
    const endpoint = daemonEndpoint(String(options.method ?? 'GET'), String(options.path ?? ''));
    const started = performance.now();
    const hijack = options.hijack === true;
    const done: DialCallback = (err, data) => {
      const failed = (err as { statusCode?: unknown } | null)?.statusCode;
      // A hijacked request succeeds on the upgrade, which docker-modem hands over without buildPayload.
      const status = typeof failed === 'number' ? failed : err ? 'error' : (statusOf.get(done) ?? (hijack ? 101 : 'ok'));
      try {
        observer({ endpoint, status: String(status), seconds: (performance.now() - started) / 1000 });
      } catch {
        // Metrics must never cost a request.
      }
      callback(err, data);
    };
    return dial(options, done);
  };
}
