/**
 * A guard for tar streams the daemon sends (`docker save`, `docker export`).
 *
 * The daemon answers 200 and starts streaming before it knows the archive can
 * be completed. When it fails half-way (a layer file missing, a container
 * removed mid-export), moby's handler writes its error as a JSON line *into
 * the body* and ends the response cleanly (api/server/router/image
 * getImagesGet: `output.Write(streamformatter.FormatError(err))`). A reader
 * that only watches the HTTP status would keep a truncated tar with a JSON
 * line at its end as a good archive. Every tar the daemon writes ends with the
 * end-of-archive marker (two zero blocks), so the guard checks the tail.
 */
import { Transform, type TransformCallback } from 'node:stream';
import { type ChunkSource, wrapChunkSource } from '../streams/chunk-source';

/** The end-of-archive marker: two 512-byte zero blocks. */
const END_MARKER = 1024;

/** Bytes kept to find the daemon's error line after a partial tar (a line is a few hundred bytes). */
const TAIL_KEPT = 64 * 1024;

/** The daemon's tar stream did not end as a complete tar; `message` is fit for ops (the daemon's words when it sent any). */
export class IncompleteTarError extends Error {
  override readonly name = 'IncompleteTarError';
}

/**
 * A pass-through that fails (instead of ending) when the stream does not end
 * with the tar end-of-archive marker. It holds back the last
 * {@link TAIL_KEPT} bytes (a few of the socket's pieces) until the next bytes
 * come or the end checks out, so memory stays flat whatever the archive's
 * size, and the pieces go on as they came: the archive writer gathers them
 * into its own reused buffers (archive/file-sink.ts), which allocates nothing
 * per piece.
 * @param what - how the failure names the stream, e.g. "the daemon's save stream".
 */
export function tarEndGuard(what: string): Transform {
  const tail: Buffer[] = [];
  let tailBytes = 0;
  let total = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      total += chunk.length;
      tail.push(chunk);
      tailBytes += chunk.length;
      while (tail.length > 1 && tailBytes - tail[0]!.length >= TAIL_KEPT) {
        const head = tail.shift()!;
        tailBytes -= head.length;
        this.push(head);
      }
      callback();
    },
    flush(callback: TransformCallback) {
      const error = checkTarEnd(Buffer.concat(tail), total, what);
      // An incomplete tar fails before its last bytes reach the sink: nothing of it may look finished.
      if (!error) for (const piece of tail) this.push(piece);
      callback(error);
    },
  });
}

/**
 * The same guard for a {@link ChunkSource}: it keeps a copy of the last
 * {@link TAIL_KEPT} bytes the consumer takes (the pieces are only lent), and
 * fails the source when it ended without the marker. The consumer has then
 * taken every byte; the archive writer keeps nothing of a failed write.
 */
export function tarEndGuardChunks(source: ChunkSource, what: string): ChunkSource {
  const tail = new TailRing(TAIL_KEPT);
  return wrapChunkSource(
    source,
    (consumer) => ({
      take(piece) {
        const taken = consumer.take(piece);
        tail.add(taken === piece.length ? piece : piece.subarray(0, taken));
        return taken;
      },
      ready: () => consumer.ready(),
    }),
    () => {
      const error = checkTarEnd(tail.contents(), tail.total, what);
      if (error) throw error;
    },
  );
}

/** The last `size` bytes of a stream, copied into one ring buffer. */
class TailRing {
  total = 0;
  private readonly ring: Buffer;
  /** Where the next byte goes. */
  private at = 0;

  constructor(size: number) {
    this.ring = Buffer.alloc(size);
  }

  add(piece: Buffer): void {
    const size = this.ring.length;
    this.total += piece.length;
    // Only the last `size` bytes of a long piece can matter.
    const from = Math.max(0, piece.length - size);
    const first = Math.min(piece.length - from, size - this.at);
    piece.copy(this.ring, this.at, from, from + first);
    piece.copy(this.ring, 0, from + first);
    this.at = (this.at + piece.length - from) % size;
  }

  /** The kept bytes, oldest first. */
  contents(): Buffer {
    const kept = Math.min(this.total, this.ring.length);
    if (kept < this.ring.length) return Buffer.from(this.ring.subarray(0, kept));
    return Buffer.concat([this.ring.subarray(this.at), this.ring.subarray(0, this.at)]);
  }
}

/**
 * Undefined when `tail` (the last bytes of a stream of `total` bytes) ends
 * with the end-of-archive marker; otherwise the error to fail with.
 */
export function checkTarEnd(tail: Buffer, total: number, what: string): IncompleteTarError | undefined {
  if (tail.length >= END_MARKER && tail.subarray(tail.length - END_MARKER).every((b) => b === 0)) return undefined;
  const daemonWords = errorLineIn(tail);
  if (daemonWords) return new IncompleteTarError(`${what} failed after ${total} bytes: ${daemonWords}`);
  return new IncompleteTarError(`${what} ended after ${total} bytes without the tar end-of-archive marker: the archive is incomplete`);
}

/** The message of the last `{"errorDetail":...}` / `{"error":...}` JSON line in `tail`, if there is one. */
function errorLineIn(tail: Buffer): string | undefined {
  const text = tail.toString('utf8');
  for (const marker of ['{"errorDetail"', '{"error"', '{"message"']) {
    const at = text.lastIndexOf(marker);
    if (at < 0) continue;
    try {
      const parsed = JSON.parse(text.slice(at).trim()) as { errorDetail?: { message?: unknown }; error?: unknown; message?: unknown };
      const message = parsed.errorDetail?.message ?? parsed.error ?? parsed.message;
      if (typeof message === 'string' && message) return message;
    } catch {
      // Not a complete JSON object after all: keep looking, else report the missing marker.
    }
  }
  return undefined;
}
