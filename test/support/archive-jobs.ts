/** Archive jobs as the tests ask for them over GraphQL, and a look into the archive directory. */
import { readdirSync } from 'node:fs';
import { docker } from './engine';
import { gql, type GqlResponse } from './graphql';

/** Every field of an ArchiveJob the tests read. */
export const JOB_FIELDS =
  'id operation status archiveName refs bytesDone bytesTotal error startedAt finishedAt archive { name kind origin size sha256 contents downloadUrl } images { id repoTags }';

/** An ArchiveJob as the API returns it. */
export interface Job {
  id: string;
  operation: 'SAVE' | 'EXPORT' | 'LOAD' | 'IMPORT';
  status: 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELED';
  archiveName: string;
  refs: string[];
  bytesDone: number;
  bytesTotal: number | null;
  error: string | null;
  startedAt: string;
  finishedAt: string | null;
  archive: { name: string; kind: string; origin: string; size: number; sha256: string | null; contents: string[]; downloadUrl: string } | null;
  images: Array<{ id: string; repoTags: string[] }>;
}

/**
 * Runs one archive mutation returning an ArchiveJob (`field` is the mutation's
 * name, `args` its arguments as GraphQL text: use {@link lit} for values).
 */
export async function jobMutation(url: string, field: string, args = ''): Promise<GqlResponse<Record<string, Job>>> {
  return gql<Record<string, Job>>(url, `mutation { ${field}${args ? `(${args})` : ''} { ${JOB_FIELDS} } }`);
}

/** Like {@link jobMutation}, failing the test on GraphQL errors. */
export async function runJob(url: string, field: string, args = ''): Promise<Job> {
  const res = await jobMutation(url, field, args);
  if (res.errors?.length) throw new Error(`${field} failed: ${JSON.stringify(res.errors)}`);
  return res.data![field]!;
}

/** A string or list of strings as a GraphQL literal (JSON's escapes are GraphQL's). */
export function lit(value: string | readonly string[]): string {
  return JSON.stringify(value);
}

/** Every archive job the server lists. */
export async function listJobs(url: string): Promise<Job[]> {
  const res = await gql<{ archiveJobs: Job[] }>(url, `{ archiveJobs { ${JOB_FIELDS} } }`);
  if (res.errors?.length) throw new Error(JSON.stringify(res.errors));
  return res.data!.archiveJobs;
}

/** Files in the archive directory, split into archives, temp files and sidecars. */
export function dirState(dir: string): { archives: string[]; temps: string[]; sidecars: string[] } {
  const files = readdirSync(dir).sort();
  return {
    archives: files.filter((f) => !f.startsWith('.')),
    temps: files.filter((f) => f.startsWith('.tmp-')),
    sidecars: files.filter((f) => f.startsWith('.') && f.endsWith('.json')),
  };
}

/** The image's id and sorted tags on the engine, or undefined when it is not there. */
export async function imageState(ref: string): Promise<{ id: string; tags: string[] } | undefined> {
  const out = await docker(['image', 'inspect', '--format', '{{.Id}} {{json .RepoTags}}', ref]).catch(() => undefined);
  if (!out) return undefined;
  const [id, tags] = out.stdout.trim().split(' ', 2);
  return { id: id!, tags: (JSON.parse(tags!) as string[]).sort() };
}

/** Removes the image behind `ref` with all its tags (a later load must bring it back). */
export async function removeImage(ref: string): Promise<void> {
  const state = await imageState(ref);
  if (state) await docker(['rmi', '-f', state.id]);
}

/** Polls `check` every 20 ms until it holds; fails after `timeoutMs` saying `what`. */
export async function eventually(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
