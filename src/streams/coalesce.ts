/**
 * Gathers the small chunks of a byte stream into larger ones.
 *
 * A daemon socket delivers a multi-GB archive in pieces of ~20 KB, a file read
 * stream in 64 KB: every piece then costs a call in each stream stage after it
 * (hash update, write syscall, HTTP chunk frame) plus a trip through the event
 * loop, which is what kept a streamed save or load well behind the docker CLI
 * (bench/archive). Passing on about 1 MiB at a time costs one copy of the
 * bytes and cuts those per-piece costs by ~50x; the memory held is bounded by
 * the target size.
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
