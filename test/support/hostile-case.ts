/**
 * One fuzz case's plumbing: send a request within a time bound, judge the
 * answer (contract codes only, nothing leaked), and watch the archive
 * directory's surroundings for files a hostile name put where it must not.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isArchiveName } from '../../src/archive/names';
import { archiveOfSidecar, TEMP_FILE } from '../../src/archive/meta';
import { ErrorCode, isPublicCode } from '../../src/schema/errors';
import { leaksIn } from './hostile-strings';
import { rawRequest, type RawResponse } from './raw-http';

/** How long one request may take before the case counts as a hang. */
export const ANSWER_BOUND_MS = 30_000;

/** An answer read whole. */
export interface Answer {
  readonly status: number;
  readonly text: string;
  readonly json: unknown;
}

function within<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ANSWER_BOUND_MS} ms: ${what}`)), ANSWER_BOUND_MS);
  });
  return Promise.race([promise, bound]).finally(() => clearTimeout(timer));
}

/** POSTs a GraphQL operation as `token`; fails when no answer comes within {@link ANSWER_BOUND_MS}. */
export async function postGraphql(url: string, token: string, query: string, variables: Record<string, unknown>): Promise<Answer> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
    signal: AbortSignal.timeout(ANSWER_BOUND_MS),
  });
  const text = await within(res.text(), query);
  return { status: res.status, text, json: parseJson(text) };
}

/** Sends `path` verbatim (see raw-http.ts) within the bound. */
export async function sendRaw(baseUrl: string, token: string, method: string, requestPath: string, body?: Buffer): Promise<Answer> {
  const res: RawResponse = await within(rawRequest(baseUrl, { method, path: requestPath, headers: { authorization: `Bearer ${token}` }, body }), `${method} ${requestPath.slice(0, 200)}`);
  const text = res.body.toString('utf8');
  return { status: res.status, text, json: res.json };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** What is wrong with a GraphQL answer to hostile `value` (empty: a clean answer). */
export function graphqlProblems(answer: Answer, value: string, socketPaths: readonly string[]): string[] {
  const problems: string[] = [];
  if (answer.status >= 500) problems.push(`HTTP ${answer.status}`);
  const body = answer.json as { data?: unknown; errors?: Array<{ message?: string; extensions?: Record<string, unknown> }> } | undefined;
  if (!body || (body.data === undefined && !body.errors)) problems.push(`not a GraphQL answer: ${answer.text.slice(0, 200)}`);
  for (const e of body?.errors ?? []) {
    const code = e.extensions?.code;
    if (!isPublicCode(code) || code === ErrorCode.INTERNAL_SERVER_ERROR) problems.push(`code ${String(code)}: ${String(e.message).slice(0, 200)}`);
    if (e.extensions && 'stacktrace' in e.extensions) problems.push('a stacktrace in extensions');
  }
  for (const leak of leaksIn(answer.text, value, socketPaths)) problems.push(`the answer shows "${leak}"`);
  return problems;
}

/** What is wrong with an archive route's answer: errors must be `{"error": {"code", "message"}}` with a contract code, never a 500. */
export function archiveRouteProblems(answer: Answer, value: string, socketPaths: readonly string[]): string[] {
  const problems: string[] = [];
  if (answer.status >= 500) problems.push(`HTTP ${answer.status}`);
  if (answer.status >= 400) {
    const error = (answer.json as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
    if (!error || typeof error.message !== 'string') problems.push(`error shape: ${answer.text.slice(0, 200)}`);
    else if (!isPublicCode(error.code) || error.code === ErrorCode.INTERNAL_SERVER_ERROR) problems.push(`code ${String(error.code)}`);
  }
  for (const leak of leaksIn(answer.text, value, socketPaths)) problems.push(`the answer shows "${leak}"`);
  return problems;
}

/** A path outside the archive directory that a name could reach, and whether it existed before the case. */
export interface Escape {
  readonly target: string;
  readonly existed: boolean;
}

/**
 * A temp dir holding the archive directory three levels down
 * (`<sandbox>/one/two/archives`), so that `../`, `../../` and `../../../` from
 * it land in the sandbox, where any new file is seen at once.
 */
export class ArchiveSandbox {
  readonly root = mkdtempSync(path.join(tmpdir(), 'dq-hostile-'));
  readonly archiveDir = path.join(this.root, 'one', 'two', 'archives');
  /** What was beside the archive dir after the last check: each case is judged on what it added. */
  private outsideBefore: string[];

  constructor() {
    mkdirSync(this.archiveDir, { recursive: true });
    this.outsideBefore = this.outside();
  }

  /** Everything in the sandbox but the archive directory's content. */
  private outside(): string[] {
    const found: string[] = [];
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        found.push(path.relative(this.root, full));
        if (entry.isDirectory() && full !== this.archiveDir) walk(full);
      }
    };
    walk(this.root);
    return found.sort();
  }

  /**
   * Where each of `names`, taken as a file name, would land when joined to the
   * archive directory, if that is outside it; and whether something is already
   * there. Take it before a case and pass it to {@link problems} after.
   */
  escapes(names: readonly string[]): Escape[] {
    const out: Escape[] = [];
    for (const name of names) {
      if (name.includes('\u0000') || name.length > 4096) continue;
      const target = path.resolve(this.archiveDir, name.replace(/\\/g, '/'));
      if (!target.startsWith(this.archiveDir + path.sep)) out.push({ target, existed: existsSync(target) });
    }
    return out;
  }

  /** Problems after a case: a new file beside the archive dir, a file inside that no archive name explains, or an escape target newly existing. */
  problems(escapes: readonly Escape[]): string[] {
    const problems: string[] = [];
    const outside = this.outside();
    const added = outside.filter((f) => !this.outsideBefore.includes(f));
    this.outsideBefore = outside;
    if (added.length) problems.push(`new files beside the archive dir: ${added.join(', ').slice(0, 300)}`);
    const odd = readdirSync(this.archiveDir).filter((f) => !isArchiveName(f) && !TEMP_FILE.test(f) && !isArchiveName(archiveOfSidecar(f) ?? ''));
    if (odd.length) problems.push(`files in the archive dir no archive name explains: ${JSON.stringify(odd).slice(0, 300)}`);
    for (const e of escapes) if (!e.existed && existsSync(e.target)) problems.push(`${e.target.slice(0, 200)} appeared`);
    return problems;
  }

  remove(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

/** Names a hostile value could give a file (its last path segment, either slash), for searching directories cheaply. */
export function fileNamesOf(value: string): string[] {
  if (value.length > 255 || value.includes('\u0000')) return [];
  const last = value.split(/[/\\]/).at(-1) ?? '';
  return [...new Set([value, last])].filter((n) => n !== '' && n !== '.' && n !== '..' && !n.includes('/'));
}
