// Files written as a whole or not at all (exported models, checkpoints, metrics, plots): the data
// goes to a temporary file beside the target, is flushed to disk, then renamed over the target. A
// failure at any point, or a crash, removes the temporary file and leaves the target as it was.
// Chunks are written in order without joining them, so large weights are never copied.
//
// What the destination may be: a regular file (its mode is kept; one this user could not write in
// place is refused, as the shell's `>` would), a symlink (the file it points to is replaced, the
// link stays), or nothing yet. Devices, FIFOs, sockets and directories are refused before anything
// is written, and so is a file with several hard links (renaming would split it from the others).
// Nothing is written into /proc or /sys: their files are views of the kernel, not storage (and
// Node's recursive mkdirSync loops forever there, so folders are made here one level at a time).
import { createHash } from 'node:crypto';
import { accessSync, closeSync, constants, fchmodSync, fchownSync, fsyncSync, lstatSync, mkdirSync, openSync, readdirSync, realpathSync, renameSync, rmSync, statfsSync, statSync, writevSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

let counter = 0;

export interface WriteOptions {
  /** Create the folders leading to the file (default: a missing folder is an error). */
  readonly createFolders?: boolean;
}

/** An error with a file-system style code, so ioReason() words it. */
const refuse = (code: string, message: string): Error => Object.assign(new Error(message), { code });

/** Writes `data` (text, bytes, or byte chunks in order) to `path` atomically. */
export function writeFileAtomic(path: string, data: string | Uint8Array | readonly Uint8Array[], options: WriteOptions = {}): void {
  if (options.createFolders) makeFolders(dirname(path));
  else checkFolder(dirname(path));
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

/**
 * Creates `dir` and the folders leading to it, like `mkdir -p`, after checking that the nearest
 * folder that exists is a real folder on a file system that stores files. Node's own recursive
 * mkdirSync never returns under /proc (Node 20: mkdir there says ENOENT, so it retries forever).
 */
export function makeFolders(dir: string): void {
  for (const folder of checkFolder(dir)) mkdirSync(folder);
}

/** Why nothing could be written into folder `dir` (made if missing), or undefined: checked before long work. */
export function folderProblem(dir: string): string | undefined {
  try {
    checkFolder(dir);
    return undefined;
  } catch (e) {
    if (!isFileError(e)) throw e;
    return ioReason(e);
  }
}

// statfs magic numbers (Linux's include/uapi/linux/magic.h): proc, sysfs, cgroup, cgroup2,
// debugfs, tracefs, securityfs, configfs, bpf, pstore, efivarfs.
const KERNEL_FILE_SYSTEMS = new Set([0x9fa0, 0x62656572, 0x27e0eb, 0x63677270, 0x64626720, 0x74726163, 0x73636673, 0x62656570, 0xcafe4a11, 0x6165676c, 0xde5e81e4]);

/**
 * The folders missing on the way to `dir`, outermost first, after refusing a path whose nearest
 * existing part is not a folder or lies on a kernel file system like /proc or /sys.
 */
function checkFolder(dir: string): string[] {
  const missing: string[] = [];
  let at = resolve(dir);
  const statOf = (path: string) => {
    try {
      return statSync(path, { throwIfNoEntry: false });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined; // a file above: found next
      throw e;
    }
  };
  let stats = statOf(at);
  for (; !stats && dirname(at) !== at; stats = statOf(at)) {
    missing.unshift(at);
    at = dirname(at);
  }
  if (!stats) return missing;
  if (!stats.isDirectory()) throw refuse('ENOTFOLDER', `${at} is a file, not a folder`);
  let type: number | undefined;
  try {
    type = statfsSync(at).type;
  } catch {
    type = undefined; // a platform without statfs: the write itself will fail if it must
  }
  if (type !== undefined && KERNEL_FILE_SYSTEMS.has(type)) {
    throw refuse('EKERNELFS', `${at} is part of a kernel file system (like /proc or /sys), which holds views of the running system, not files to write`);
  }
  return missing;
}

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
  // /dev/stdout on a pipe resolves to a name like /proc/1/fd/pipe:[99] that is no file.
  const stats = lstatSync(target, { throwIfNoEntry: false });
  if (!stats) throw refuse('ENOTREG', `it is a symbolic link to ${target}, which is not a file (a pipe or socket); use -o - for standard output where a command offers it`);
  return checkKind(target, stats);
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
