// Files written as a whole or not at all (exported models, checkpoints, metrics, plots): the data
// goes to a temporary file beside the target, is flushed to disk, then renamed over the target. A
// failure at any point, or a crash, removes the temporary file and leaves the target as it was.
// Chunks are written in order without joining them, so large weights are never copied.
//
// What the destination may be: a regular file (its mode is kept; one this user could not write in
// place is refused, as the shell's `>` would), a symlink (the file it points to is replaced, the
// link stays), or nothing yet. Devices, FIFOs, sockets and directories are refused before anything
// is written, and so is a file with several hard links (renaming would split it from the others).
import { createHash } from 'node:crypto';
import { accessSync, closeSync, constants, fchmodSync, fchownSync, fsyncSync, lstatSync, mkdirSync, openSync, readdirSync, realpathSync, renameSync, rmSync, statSync, writevSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

let counter = 0;

export interface WriteOptions {
  /** Create the folders leading to the file (default: a missing folder is an error). */
  readonly createFolders?: boolean;
}

/** An error with a file-system style code, so ioReason() words it. */
const refuse = (code: string, message: string): Error => Object.assign(new Error(message), { code });

/** Writes `data` (text, bytes, or byte chunks in order) to `path` atomically. */
export function writeFileAtomic(path: string, data: string | Uint8Array | readonly Uint8Array[], options: WriteOptions = {}): void {
  if (options.createFolders) mkdirSync(dirname(path), { recursive: true });
  const target = destination(path);
  const existing = existingFile(target);
  removeStaleTemps(target);
  const temp = tempName(target, `${process.pid}-${counter++}`);
  const chunks = typeof data === 'string' ? [Buffer.from(data, 'utf8')] : data instanceof Uint8Array ? [data] : data;
  let fd: number | undefined;
  inFlight.add(temp);
  watchSignals();
  try {
    fd = openSync(temp, 'wx', 0o644);
    if (existing) keepOwnership(fd, existing);
    writeAll(fd, chunks);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(temp, target);
  } catch (e) {
    if (fd !== undefined) closeSync(fd);
    rmSync(temp, { force: true });
    throw e;
  } finally {
    inFlight.delete(temp);
  }
}

export const writeJsonAtomic = (path: string, value: unknown, options?: WriteOptions): void =>
  writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`, options);

/** The path to replace: `path` itself, or the file a symlink at `path` points to. */
function destination(path: string): string {
  const link = lstatSync(path, { throwIfNoEntry: false });
  if (!link?.isSymbolicLink()) return checkKind(path, link);
  let target: string;
  try {
    target = realpathSync(path);
  } catch {
    throw refuse('EDANGLING', 'it is a symbolic link to nothing');
  }
  return checkKind(target, lstatSync(target));
}

function checkKind(path: string, stats: ReturnType<typeof lstatSync>): string {
  if (!stats) return path;
  if (stats.isDirectory()) throw refuse('EISDIR', 'it is a directory');
  if (!stats.isFile()) throw refuse('ENOTREG', 'it is not a regular file (a device, FIFO or socket) and is left alone');
  if (stats.nlink > 1) throw refuse('EHARDLINK', `it has ${stats.nlink} hard links, which replacing it would split; write elsewhere or remove the other links`);
  return path;
}

/** The file being replaced, after checking that this user could write it in place. */
function existingFile(path: string): { mode: number; uid: number; gid: number } | undefined {
  const stats = statSync(path, { throwIfNoEntry: false });
  if (!stats) return undefined;
  accessSync(path, constants.W_OK); // EACCES for a read-only file, even in a writable folder
  return { mode: stats.mode & 0o7777, uid: stats.uid, gid: stats.gid };
}

/** The new file keeps the old one's mode and, where this process may set it (root), its owner. */
function keepOwnership(fd: number, old: { mode: number; uid: number; gid: number }): void {
  fchmodSync(fd, old.mode);
  if (process.getuid?.() === 0 && (old.uid !== 0 || old.gid !== 0)) fchownSync(fd, old.uid, old.gid);
}

// Temporary names are short whatever the destination's name (a 255-byte name stays legal): a
// hash of the destination, then the writer's pid. A later write to the same destination removes
// the temps of writers that no longer run (a kill -9 leaves one behind; no handler can stop it).
function tempName(target: string, suffix: string): string {
  return join(dirname(target), `${tempPrefix(target)}${suffix}.tmp`);
}

const tempPrefix = (target: string): string =>
  `.archc-${createHash('sha256').update(basename(target)).digest('hex').slice(0, 12)}.`;

function removeStaleTemps(target: string): void {
  const prefix = tempPrefix(target);
  let names: string[];
  try {
    names = readdirSync(dirname(target));
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith('.tmp')) continue;
    const pid = Number(name.slice(prefix.length).split('-')[0]);
    if (Number.isInteger(pid) && pid !== process.pid && !running(pid)) rmSync(join(dirname(target), name), { force: true });
  }
}

function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // alive, owned by someone else
  }
}

// Ctrl-C or a TERM during a write: a listener makes Node deliver the signal after the synchronous
// write has finished (or failed and cleaned up) instead of dying in its middle. When nothing else
// in the process listens, it then removes what is still in flight and dies of the signal as usual;
// where the program has its own handler (training stops after the step), it leaves the choice to it.
const inFlight = new Set<string>();
let watching = false;

function watchSignals(): void {
  if (watching) return;
  watching = true;
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = (): void => {
      if (process.listenerCount(signal) > 1) return;
      for (const temp of inFlight) rmSync(temp, { force: true });
      process.removeListener(signal, onSignal);
      process.kill(process.pid, signal);
    };
    process.on(signal, onSignal);
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
    ENAMETOOLONG: 'the file name is too long',
  };
  return (code && known[code]) ?? (e as Error).message;
}
