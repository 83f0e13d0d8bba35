/**
 * A bare graphql-transport-ws client on `ws`, for what graphql-ws's own client
 * cannot do: stop reading its socket (pause) to play a client that falls
 * behind, then resume and see exactly what the server sent.
 */
import WebSocket from 'ws';

/** One result as the server sent it in a `next` message. */
export interface RawResult {
  readonly data?: Record<string, unknown> | null;
  readonly errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
}

/** A connected raw client with one subscription started. */
export interface RawSubscriber {
  /** Stops reading the socket: the server's messages pile up in the kernel buffers, then in the server. */
  pause(): void;
  resume(): void;
  /** Resolves when the server completes the subscription, with every result it sent. */
  completion(timeoutMs?: number): Promise<{ results: RawResult[] }>;
  /** Runs one more operation on the same socket and resolves with its single result. */
  query(query: string, timeoutMs?: number): Promise<RawResult>;
  close(): void;
}

interface Operation {
  readonly results: RawResult[];
  done: boolean;
  onDone?: () => void;
}

/** Connects to `url` (ws://...), waits for the ack, and subscribes `query` (id "s"). */
export async function rawSubscriber(url: string, query: string): Promise<RawSubscriber> {
  const socket = new WebSocket(url, 'graphql-transport-ws');
  const operations = new Map<string, Operation>();
  let acked: () => void = () => undefined;
  let failed: (e: Error) => void = () => undefined;
  const ack = new Promise<void>((resolve, reject) => {
    acked = resolve;
    failed = reject;
  });
  socket.on('error', (e) => failed(e));
  socket.on('close', (code) => failed(new Error(`socket closed (${code}) before the ack`)));
  socket.on('message', (raw) => {
    const message = JSON.parse(String(raw)) as { type: string; id?: string; payload?: unknown };
    if (message.type === 'connection_ack') return acked();
    if (message.type === 'ping') return socket.send(JSON.stringify({ type: 'pong' }));
    const op = message.id === undefined ? undefined : operations.get(message.id);
    if (!op) return;
    if (message.type === 'next') op.results.push(message.payload as RawResult);
    else if (message.type === 'error') op.results.push({ errors: message.payload as RawResult['errors'] });
    if (message.type === 'complete' || message.type === 'error') {
      op.done = true;
      op.onDone?.();
    }
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  socket.send(JSON.stringify({ type: 'connection_init' }));
  await ack;

  const start = (id: string, text: string): Operation => {
    const op: Operation = { results: [], done: false };
    operations.set(id, op);
    socket.send(JSON.stringify({ id, type: 'subscribe', payload: { query: text } }));
    return op;
  };
  const finished = (op: Operation, timeoutMs: number): Promise<void> =>
    new Promise((resolve, reject) => {
      if (op.done) return resolve();
      const timer = setTimeout(() => reject(new Error(`not completed after ${timeoutMs} ms; got ${JSON.stringify(op.results).slice(0, 500)}`)), timeoutMs);
      op.onDone = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  const subscription = start('s', query);
  let queries = 0;
  return {
    pause: () => socket.pause(),
    resume: () => socket.resume(),
    completion: async (timeoutMs = 30_000) => {
      await finished(subscription, timeoutMs);
      return { results: subscription.results };
    },
    query: async (text, timeoutMs = 10_000) => {
      const op = start(`q${++queries}`, text);
      await finished(op, timeoutMs);
      return op.results[0] ?? {};
    },
    close: () => socket.terminate(),
  };
}
