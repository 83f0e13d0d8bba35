/**
 * Folds the daemon's per-layer progress lines of one pull or push into a typed
 * snapshot (pure: no I/O, no timers). The words are moby's
 * (distribution/xfer/download.go, upload.go, pull_v2.go, push_v2.go).
 *
 * Two kinds of numbers come out. A layer's `current`/`total` are the daemon's
 * own counts for the phase it is in, so they restart at 0 when Extracting
 * begins. The job's `current`/`total` count transfer bytes only (download for
 * a pull, upload for a push), because extraction re-reads the same blob and
 * would make a single progress bar run twice; they never go backwards.
 */
import type { ProgressMessage } from '../docker/ndjson';

/** Which daemon transfer the lines come from. */
export type TransferProgressKind = 'pull' | 'push';

/** One layer as the daemon last described it. */
export interface LayerSnapshot {
  /** The daemon's short layer id (12 hex digits). */
  id: string;
  /** The daemon's words: Waiting, Downloading, Extracting, Pull complete, Already exists, Pushed... */
  status: string;
  /** Bytes of the current phase; undefined when the phase has no byte counts. */
  current?: number;
  total?: number;
}

/** The state of a transfer at one moment. */
export interface TransferSnapshot {
  /** In the order the daemon first mentioned them. */
  layers: LayerSnapshot[];
  /** Transfer bytes over all layers; a layer past its transfer counts in full. Never decreases, never exceeds `total`. */
  current: number;
  /** Transfer bytes of all layers whose size is known so far; never decreases. */
  total: number;
  /** The daemon's latest overall status line ("Status: Downloaded newer image for ..."). */
  message?: string;
  /** The manifest digest the daemon reported. */
  digest?: string;
}

/** What a status word means for the byte count of the transfer. */
type Phase = 'transfer' | 'past' | 'skipped' | 'other';

interface PhaseTable {
  readonly transfer: string;
  readonly past: ReadonlySet<string>;
  readonly skipped: readonly string[];
}

const PHASES: Readonly<Record<TransferProgressKind, PhaseTable>> = {
  pull: {
    transfer: 'Downloading',
    past: new Set(['Verifying Checksum', 'Download complete', 'Extracting', 'Pull complete']),
    skipped: ['Already exists'],
  },
  push: {
    transfer: 'Pushing',
    past: new Set(['Pushed']),
    // "Mounted from <repo>": the registry copied the blob from another repository.
    skipped: ['Layer already exists', 'Mounted from ', 'Skipped foreign layer'],
  },
};

/**
 * Status words the daemon only ever sends about a layer. Lines with an id and
 * one of these are layer lines even without `progressDetail`.
 */
const LAYER_WORDS = [
  'Pulling fs layer', 'Waiting', 'Downloading', 'Verifying Checksum', 'Download complete', 'Extracting',
  'Pull complete', 'Already exists', 'Retrying in ', 'Preparing', 'Pushing', 'Pushed', 'Layer already exists',
  'Mounted from ', 'Skipped foreign layer', 'Image push failed',
];

/** push_v2.go's closing line: "<tag>: digest: <digest> size: <bytes>". */
const PUSH_DIGEST_LINE = /^.+: digest: (\S+) size: \d+$/;

interface LayerState extends LayerSnapshot {
  /** Transfer size when known: the `total` seen while transferring (for a pull, the compressed blob). */
  size?: number;
  /** Most transfer bytes seen. */
  moved: number;
  /** Past its transfer, or never needed one. */
  finished: boolean;
}

/** Aggregates one transfer's progress lines; feed it every line in order. */
export class TransferProgress {
  private readonly phases: PhaseTable;
  private readonly layers = new Map<string, LayerState>();
  /** Ids that name the ref, not a layer ("latest" in "latest: Pulling from library/busybox"). */
  private readonly refIds = new Set<string>();
  private current = 0;
  private total = 0;
  private message?: string;
  private digest?: string;

  constructor(readonly kind: TransferProgressKind) {
    this.phases = PHASES[kind];
  }

  /** Applies one daemon line; returns true when the snapshot changed. */
  apply(m: ProgressMessage): boolean {
    let changed = false;
    const auxDigest = m.aux?.Digest;
    if (typeof auxDigest === 'string' && auxDigest !== '' && auxDigest !== this.digest) {
      this.digest = auxDigest;
      changed = true;
    }
    const status = typeof m.status === 'string' ? m.status : '';
    // `{}` and `{"stream": ...}` lines say nothing about a transfer.
    if (status === '') return changed;
    const id = typeof m.id === 'string' ? m.id : '';
    if (id !== '' && this.isLayerLine(id, status, m)) return this.applyLayer(id, status, m) || changed;
    return this.applyOverall(status) || changed;
  }

  /** The current state: a fresh copy the caller may keep. */
  snapshot(): TransferSnapshot {
    const snap: TransferSnapshot = {
      layers: [...this.layers.values()].map((l) => {
        const layer: LayerSnapshot = { id: l.id, status: l.status };
        if (l.current !== undefined) layer.current = l.current;
        if (l.total !== undefined) layer.total = l.total;
        return layer;
      }),
      current: this.current,
      total: this.total,
    };
    if (this.message !== undefined) snap.message = this.message;
    if (this.digest !== undefined) snap.digest = this.digest;
    return snap;
  }

  private isLayerLine(id: string, status: string, m: ProgressMessage): boolean {
    if (status.startsWith('Pulling from ')) {
      this.refIds.add(id);
      return false;
    }
    if (this.refIds.has(id)) return false;
    if (this.layers.has(id)) return true;
    // The daemon writes `progressDetail` (maybe `{}`) on every layer update and
    // never on messages, such as its "WARNING" lines that carry an id.
    return m.progressDetail !== undefined || LAYER_WORDS.some((w) => status.startsWith(w));
  }

  private applyOverall(status: string): boolean {
    let changed = false;
    const digest = status.startsWith('Digest: ') ? status.slice('Digest: '.length).trim() : PUSH_DIGEST_LINE.exec(status)?.[1];
    if (digest && digest !== this.digest) {
      this.digest = digest;
      changed = true;
    }
    if (status !== this.message) {
      this.message = status;
      changed = true;
    }
    return changed;
  }

  private applyLayer(id: string, status: string, m: ProgressMessage): boolean {
    let layer = this.layers.get(id);
    let changed = false;
    if (!layer) {
      layer = { id, status, moved: 0, finished: false };
      this.layers.set(id, layer);
      changed = true;
    }
    const current = byteCount(m.progressDetail?.current);
    const total = byteCount(m.progressDetail?.total);
    if (layer.status !== status || layer.current !== current || layer.total !== total) changed = true;
    layer.status = status;
    layer.current = current;
    layer.total = total;

    switch (this.phaseOf(status)) {
      case 'transfer':
        // A resumed download restarts its counts on the remaining bytes: keep the largest seen.
        if (total !== undefined && total > 0) layer.size = Math.max(layer.size ?? 0, total);
        if (current !== undefined) layer.moved = Math.max(layer.moved, current);
        break;
      case 'past':
        // The daemon coalesces updates, so a layer may skip Downloading entirely;
        // Extracting reads the same compressed blob, so its total is the download size.
        if (layer.size === undefined && status === 'Extracting' && total !== undefined && total > 0) layer.size = total;
        layer.finished = true;
        break;
      case 'skipped':
        layer.finished = true;
        break;
      case 'other':
        break;
    }
    return this.recount() || changed;
  }

  private phaseOf(status: string): Phase {
    const p = this.phases;
    if (status === p.transfer) return 'transfer';
    if (p.past.has(status)) return 'past';
    if (p.skipped.some((w) => (w.endsWith(' ') ? status.startsWith(w) : status === w))) return 'skipped';
    return 'other';
  }

  /** Recomputes the job's bytes; true when they changed. */
  private recount(): boolean {
    let current = 0;
    let total = 0;
    for (const l of this.layers.values()) {
      // A size never announced (a small blob, or one already there) is what we saw move, maybe 0.
      const size = l.size ?? l.moved;
      total += size;
      current += l.finished ? size : Math.min(l.moved, size);
    }
    total = Math.max(this.total, total);
    current = Math.min(Math.max(this.current, current), total);
    if (current === this.current && total === this.total) return false;
    this.current = current;
    this.total = total;
    return true;
  }
}

function byteCount(n: number | undefined): number | undefined {
  return typeof n === 'number' && Number.isFinite(n) && n >= 0 ? n : undefined;
}
