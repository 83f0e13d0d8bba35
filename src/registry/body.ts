/** Reading registry answers: bounded bodies, JSON, and the string lists of catalog and tags pages. */
import { DockqlError, ErrorCode } from '../schema/errors';
import { scrub } from './errors';

/** Largest answer body read (catalog and tag pages, manifests, error bodies). */
export const MAX_BODY_BYTES = 4 * 1024 * 1024;

/** The body's bytes (manifests are hashed byte for byte), at most MAX_BODY_BYTES. */
export async function readBounded(res: Response, who: string, what: string): Promise<Buffer> {
  if (!res.body) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    // Throwing out of the loop releases and cancels the stream.
    if (size > MAX_BODY_BYTES) {
      throw new DockqlError(ErrorCode.REGISTRY_ERROR, `${who} answered ${what} with more than ${MAX_BODY_BYTES} bytes`);
    }
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}

/** A JSON answer body, else REGISTRY_ERROR quoting its start. */
export function parseJson(body: Buffer, host: string, what: string): unknown {
  const text = body.toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    throw new DockqlError(ErrorCode.REGISTRY_ERROR, `registry ${host} answered ${what} with something that is not JSON: ${scrub(text.slice(0, 80), [])}`);
  }
}

/** `body[key]` as strings; null counts as empty (a repository whose tags were all deleted). */
export function stringList(body: unknown, key: string, host: string): string[] {
  const list = (body as Record<string, unknown> | null)?.[key];
  if (list === null || list === undefined) return [];
  if (!Array.isArray(list) || !list.every((x) => typeof x === 'string')) {
    throw new DockqlError(ErrorCode.REGISTRY_ERROR, `registry ${host} answered with a malformed "${key}" list`);
  }
  return list;
}
