/**
 * A subscription source over one long-lived daemon response (`logs?follow=1`,
 * `stats?stream=1`): decoded items as envelopes, with the daemon's pace
 * throttled by the subscriber's (backpressure, nothing dropped), and one final
 * `{ error }` envelope when the stream fails.
 *
 * Built on a Repeater rather than an async generator on purpose: a generator
 * waiting for the daemon's next chunk cannot be returned until that chunk
 * arrives, so a client that unsubscribes from a quiet container would keep a
 * daemon connection open indefinitely. A Repeater's return() ends at once, and
 * the response is destroyed, which closes the daemon connection.
 */
import { Repeater } from '@graphql-yoga/subscription';
import type { GraphQLError } from 'graphql';
import type { Envelope } from './envelope';

/** Turns a daemon response's chunks into items. */
export interface StreamDecoder<T> {
  /** Items completed by this chunk; `done` ends the subscription after them (e.g. the container stopped). */
  push(chunk: Buffer): { readonly items: readonly T[]; readonly done?: boolean };
  /** Items left when the daemon ends the response; throws when it ended in the middle of something. */
  end(): readonly T[];
}

/** Opens the daemon response; aborting `signal` cancels a request still in flight. */
export type StreamOpener = (signal: AbortSignal) => Promise<NodeJS.ReadableStream>;

/**
 * Follows a daemon response until it ends, the decoder says done, or the
 * subscriber leaves. The request is made on the subscriber's first read, so a
 * subscription dropped before it starts never opens one.
 * @param toError maps what went wrong (daemon error, broken stream) to the final error result.
 */
export function followDaemonStream<T>(open: StreamOpener, decoder: StreamDecoder<T>, toError: (err: unknown) => GraphQLError): AsyncIterableIterator<Envelope<T>> {
  return new Repeater<Envelope<T>>(async (push, stop) => {
    const abort = new AbortController();
    let stream: NodeJS.ReadableStream | undefined;
    void stop.then(() => {
      abort.abort();
      if (stream) destroyQuietly(stream);
    });
    try {
      stream = await open(abort.signal);
      if (abort.signal.aborted) {
        destroyQuietly(stream);
        return;
      }
      let done = false;
      for await (const chunk of stream as AsyncIterable<Buffer | string>) {
        const decoded = decoder.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
        // Awaiting each push is the backpressure: the daemon response is read no faster than the subscriber reads.
        for (const item of decoded.items) await push({ value: item });
        if (decoded.done) {
          done = true;
          break;
        }
      }
      if (!done && !abort.signal.aborted) for (const item of decoder.end()) await push({ value: item });
    } catch (err) {
      // After the subscriber left, a destroyed stream's error is expected and nobody is listening.
      if (!abort.signal.aborted) await push({ error: toError(err) });
    } finally {
      if (stream) destroyQuietly(stream);
      stop();
    }
  });
}

function destroyQuietly(stream: NodeJS.ReadableStream): void {
  const s = stream as NodeJS.ReadableStream & { destroy?: () => void; destroyed?: boolean };
  if (s.destroyed || typeof s.destroy !== 'function') return;
  // A destroyed response may still emit 'error' (e.g. ECONNRESET); with no listener that would crash the process.
  s.on('error', () => undefined);
  s.destroy();
}
