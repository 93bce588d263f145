// Files written as a whole or not at all (exported models, checkpoints, metrics, plots): the data
// goes to a temporary file beside the target, is flushed to disk, then renamed over the target. A
// failure at any point, or a crash, removes the temporary file and leaves the target as it was.
// Chunks are written in order without joining them, so large weights are never copied.
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, statSync, writevSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

let counter = 0;

export interface WriteOptions {
  /** Create the folders leading to the file (default: a missing folder is an error). */
  readonly createFolders?: boolean;
}

/** Writes `data` (text, bytes, or byte chunks in order) to `path` atomically. */
export function writeFileAtomic(path: string, data: string | Uint8Array | readonly Uint8Array[], options: WriteOptions = {}): void {
  if (options.createFolders) mkdirSync(dirname(path), { recursive: true });
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}-${counter++}.tmp`);
  const chunks = typeof data === 'string' ? [Buffer.from(data, 'utf8')] : data instanceof Uint8Array ? [data] : data;
  let fd: number | undefined;
  try {
    if (statSync(path, { throwIfNoEntry: false })?.isDirectory()) throw Object.assign(new Error('it is a directory'), { code: 'EISDIR' });
    fd = openSync(temp, 'wx');
    writeAll(fd, chunks);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(temp, path);
  } catch (e) {
    if (fd !== undefined) closeSync(fd);
    rmSync(temp, { force: true });
    throw e;
  }
}

export const writeJsonAtomic = (path: string, value: unknown, options?: WriteOptions): void =>
  writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`, options);

/** writev in batches (the system takes at most 1024 buffers a call), resuming after short writes. */
function writeAll(fd: number, chunks: readonly Uint8Array[]): void {
  let pending = chunks.filter((c) => c.length > 0);
  while (pending.length > 0) {
    let written = writevSync(fd, pending.slice(0, 1024));
    while (written > 0 && pending.length > 0) {
      const first = pending[0]!;
      if (written >= first.length) {
        written -= first.length;
        pending = pending.slice(1);
      } else {
        pending = [first.subarray(written), ...pending.slice(1)];
        written = 0;
      }
    }
  }
}

/** A file-system error (EACCES, ENOSPC, ...) as opposed to a bug. */
export const isFileError = (e: unknown): boolean => typeof (e as NodeJS.ErrnoException)?.code === 'string';

/** A file-system error in words: "permission denied", "no such directory", ... */
export function ioReason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  const known: Record<string, string> = {
    EACCES: 'permission denied',
    EPERM: 'permission denied',
    ENOENT: 'no such directory',
    ENOTDIR: 'a part of the path is not a directory',
    EISDIR: 'it is a directory',
    EROFS: 'read-only file system',
    ENOSPC: 'no space left on the device',
    EEXIST: 'a temporary file is in the way',
  };
  return (code && known[code]) ?? (e as Error).message;
}
