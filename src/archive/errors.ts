/** The archive store's errors, in the API's one error vocabulary (written for ops, safe to show). */
import { DockqlError, ErrorCode, NotFoundError } from '../schema/errors';

/** The source had more bytes than allowed (HTTP answers 413). */
export class ArchiveTooLargeError extends DockqlError {
  constructor(readonly limit: number) {
    super(ErrorCode.BAD_USER_INPUT, `the archive is larger than the limit of ${limit} bytes (DOCKQL_MAX_UPLOAD_BYTES)`, { limit });
  }
}

/** NOT_FOUND for a name with no regular file behind it. */
export function archiveNotFound(name: string): NotFoundError {
  return new NotFoundError(`no archive named "${name}" in the archive directory`, { archive: name });
}

/** CONFLICT for an existing name. */
export function archiveExists(name: string): DockqlError {
  return new DockqlError(ErrorCode.CONFLICT, `archive "${name}" already exists; pass overwrite: true (?overwrite=true over HTTP) to replace it`, { archive: name });
}

/** CONFLICT for a name another write holds. */
export function archiveBeingWritten(name: string): DockqlError {
  return new DockqlError(ErrorCode.CONFLICT, `archive "${name}" is being written right now; try again when that write has finished`, { archive: name });
}

/** CONFLICT for a symlink, directory or device under an archive name: never written through or replaced. */
export function notARegularFile(name: string): DockqlError {
  return new DockqlError(ErrorCode.CONFLICT, `"${name}" in the archive directory is not a regular file; it is left alone`, { archive: name });
}

/** Disk-full errors are the operator's to fix, so they keep a clear message instead of being masked. */
export function storageError(err: unknown): unknown {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return new DockqlError(ErrorCode.INTERNAL_SERVER_ERROR, 'no space left on the file system of the archive directory');
  }
  return err;
}
