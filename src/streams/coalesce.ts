/**
 * Gathers the small chunks of a byte stream into larger ones.
 *
 * Every piece of a multi-GB stream costs a call in each stream stage after it
 * (a write syscall, an HTTP chunk frame to the daemon) plus a trip through the
 * event loop. Passing on about 1 MiB at a time cuts those per-piece costs by
 * ~50x; the memory held is bounded by the target size. A piece that already
 * has the target size passes without a copy: archive reads are 1 MiB
 * (archive/handle.ts), so a load copies nothing here. Saves do not use it:
 * the archive writer gathers the daemon's pieces into buffers it reuses
 * (archive/file-sink.ts), because a fresh buffer a MiB is garbage the GC pays
 * for (gc-tuning.ts).
 */

/** What the archive streams gather to: large enough to amortize, small enough to keep memory flat. */
export const COALESCE_BYTES = 1024 * 1024;

/** Collects chunks and hands them back joined once `target` bytes are there. */
export class ChunkCoalescer {
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  constructor(private readonly target = COALESCE_BYTES) {}

  /** Adds `chunk`; returns the joined bytes when at least `target` are held, else undefined. */
  add(chunk: Buffer): Buffer | undefined {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    return this.pendingBytes >= this.target ? this.take() : undefined;
  }

  /** Whatever is held (at the end of the stream), or undefined when nothing is. */
  take(): Buffer | undefined {
    if (this.pendingBytes === 0) return undefined;
    const out = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    return out;
  }
}
