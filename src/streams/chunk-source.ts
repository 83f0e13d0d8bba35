/**
 * A byte stream for consumers that copy what they are given at once, such as
 * the archive writer copying into its slabs.
 *
 * A Readable hands over one new Buffer per piece and runs every piece through
 * the stream machinery of each stage; for a multi-GB download that is a large
 * share of the CPU (see docker/raw-get.ts). A ChunkSource instead lends the
 * consumer views of one buffer it reuses. The consumer takes what it can
 * synchronously and says how much; when it takes less, the source stops (and
 * with it the socket) until the consumer is ready for the rest.
 */

/** What a {@link ChunkSource} feeds. */
export interface ChunkConsumer {
  /**
   * Takes the leading bytes of `piece` it can and returns how many. `piece`
   * is only valid during the call: copy, do not keep. Fewer than
   * `piece.length` means "full": the rest comes again after {@link ready}.
   */
  take(piece: Buffer): number;
  /** Resolves once {@link take} can accept bytes again; rejects with the consumer's failure. */
  ready(): Promise<void>;
}

/** A stream of bytes lent piece by piece to one {@link ChunkConsumer}. */
export interface ChunkSource {
  /** Marks the object as a ChunkSource (a Readable is the other kind of source). */
  readonly chunkSource: true;
  /**
   * Feeds every byte, in order, to `consumer` (once per source). Resolves
   * when the stream ended complete; rejects when it failed, was cut short,
   * the consumer failed, or `signal` aborted, and the source is closed then.
   */
  pipeTo(consumer: ChunkConsumer, signal?: AbortSignal): Promise<void>;
  /** Closes the source without (or without finishing) reading it. Idempotent. */
  destroy(): void;
}

/** True for a {@link ChunkSource} (as opposed to a Readable). */
export function isChunkSource(source: unknown): source is ChunkSource {
  return typeof source === 'object' && source !== null && (source as { chunkSource?: unknown }).chunkSource === true;
}

/**
 * A source whose consumer is wrapped: `wrap` gets the real consumer and
 * returns the one the inner source feeds (to observe or count what is taken),
 * and `after` runs once the inner source ended, and may fail the stream.
 */
export function wrapChunkSource(inner: ChunkSource, wrap: (consumer: ChunkConsumer) => ChunkConsumer, after: () => void): ChunkSource {
  return {
    chunkSource: true,
    async pipeTo(consumer, signal) {
      await inner.pipeTo(wrap(consumer), signal);
      after();
    },
    destroy: () => inner.destroy(),
  };
}
