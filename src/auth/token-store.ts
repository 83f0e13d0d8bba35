/**
 * The tokens in force: read from the tokens file at start, re-read when the
 * file changes (inotify on its directory, so editors that write a new file and
 * rename it over the old one are seen too) or on demand (SIGHUP in main.ts).
 * Tokens whose entry disappears or changes are announced to revoke listeners,
 * which close the sockets opened with them.
 */
import { type FSWatcher, watch } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../logger';
import type { Principal } from './principal';
import { hashToken, parseTokenFile, type TokenEntry, TokenFileError } from './token-file';

/** Reloads are debounced by this much: one save often fires several events. */
const RELOAD_DEBOUNCE_MS = 25;

/** Called with the hashes of tokens that no longer work as they did. */
export type RevokeListener = (revoked: ReadonlySet<string>) => void;

/** Looks tokens up by hash; see the module comment. */
export class TokenStore {
  private byHash = new Map<string, Principal>();
  private readonly listeners = new Set<RevokeListener>();
  private watcher?: FSWatcher;
  private timer?: NodeJS.Timeout;
  private reloading: Promise<void> = Promise.resolve();

  private constructor(
    readonly file: string,
    private readonly log: Logger,
  ) {}

  /**
   * Reads `file` and starts watching it.
   * @throws TokenFileError when it cannot be read or is not a valid tokens file (the server must not start open).
   */
  static async open(file: string, log: Logger): Promise<TokenStore> {
    const store = new TokenStore(file, log);
    store.apply(await readTokens(file));
    store.watch();
    return store;
  }

  /** How many tokens are in force. */
  get size(): number {
    return this.byHash.size;
  }

  /** The caller a presented token stands for, or undefined for an unknown (or revoked) one. */
  authenticate(token: string): Principal | undefined {
    return this.byHash.get(hashToken(token));
  }

  /** Registers a revoke listener; returns its remover. */
  onRevoke(listener: RevokeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Re-reads the file. A file that cannot be read or parsed keeps the tokens
   * in force (a typo must not lock every operator out) and logs an error.
   */
  reload(): Promise<void> {
    this.reloading = this.reloading.then(async () => {
      try {
        this.apply(await readTokens(this.file));
      } catch (err) {
        this.log.error({ file: this.file, reason: (err as Error).message }, 'tokens file not reloaded: the tokens in force stay');
      }
    });
    return this.reloading;
  }

  /** Stops watching. */
  dispose(): void {
    clearTimeout(this.timer);
    this.watcher?.close();
    this.listeners.clear();
  }

  private apply(entries: readonly TokenEntry[]): void {
    const next = new Map(entries.map((e) => [e.sha256, Object.freeze({ name: e.name, role: e.role, tokenSha256: e.sha256 })]));
    const revoked = new Set<string>();
    for (const [hash, old] of this.byHash) {
      const now = next.get(hash);
      if (!now || now.role !== old.role || now.name !== old.name) revoked.add(hash);
    }
    const first = this.byHash.size === 0 && revoked.size === 0;
    this.byHash = next;
    if (!first || next.size > 0) this.log.info({ file: this.file, tokens: next.size, revoked: revoked.size }, 'tokens loaded');
    if (revoked.size === 0) return;
    for (const listener of this.listeners) {
      try {
        listener(revoked);
      } catch (err) {
        this.log.error({ err }, 'a token revoke listener failed');
      }
    }
  }

  private watch(): void {
    const base = path.basename(this.file);
    try {
      // The directory, not the file: a rename over the file would leave a file watch on the old inode.
      this.watcher = watch(path.dirname(this.file), { persistent: false }, (_event, name) => {
        if (name !== null && name !== base) return;
        clearTimeout(this.timer);
        this.timer = setTimeout(() => void this.reload(), RELOAD_DEBOUNCE_MS);
      });
      this.watcher.on('error', (err) => this.log.warn({ err, file: this.file }, 'cannot watch the tokens file: reload with SIGHUP'));
    } catch (err) {
      this.log.warn({ err, file: this.file }, 'cannot watch the tokens file: reload with SIGHUP');
    }
  }
}

async function readTokens(file: string): Promise<TokenEntry[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new TokenFileError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  try {
    return parseTokenFile(text);
  } catch (err) {
    throw new TokenFileError(`${file}: ${(err as Error).message}`);
  }
}
