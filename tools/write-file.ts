// Writes a file as a whole or not at all: the chunks go to a temp file beside the target, which is
// renamed over it at the end. A failure at any point removes the temp file and leaves the target
// as it was. Chunks are written in order without joining them (weights stay where they are).
import { closeSync, openSync, renameSync, rmSync, statSync, writevSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

let counter = 0;

export function writeFileWhole(path: string, chunks: readonly Uint8Array[]): void {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}-${counter++}.tmp`);
  let fd: number | undefined;
  try {
    if (statSync(path, { throwIfNoEntry: false })?.isDirectory()) throw Object.assign(new Error('it is a directory'), { code: 'EISDIR' });
    fd = openSync(temp, 'wx');
    writeAll(fd, chunks);
    closeSync(fd);
    fd = undefined;
    renameSync(temp, path);
  } catch (e) {
    if (fd !== undefined) closeSync(fd);
    rmSync(temp, { force: true });
    throw e;
  }
}

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
