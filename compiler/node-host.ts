// The file-system side of compiling in Node: reading files, resolving imports and zoo names.
import { closeSync, constants, existsSync, fstatSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve as resolvePath, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CompileHost } from './loader.js';
// Node parses and formats files nested deeper than the default stack holds on a thread with a larger stack.
import '../dsl/large-stack.js';

/** The package root: the folder holding archc's package.json (works from src and from dist). */
export const packageRoot = ((): string => {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && JSON.parse(readFileSync(pkg, 'utf8')).name === 'archc') return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error('archc: cannot find the package root');
    dir = up;
  }
})();

export const zooRoot = join(packageRoot, 'zoo');

export const nodeHost: CompileHost = {
  read(path) {
    const read = readRegularFile(path, MAX_SOURCE_BYTES);
    return 'error' in read ? read : { text: read.bytes.toString('utf8') };
  },
  resolve(from, spec) {
    if (spec.startsWith('std/')) return join(zooRoot, `${spec}${spec.endsWith('.arch') ? '' : '.arch'}`);
    const path = resolvePath(dirname(from), spec);
    return path.endsWith('.arch') ? path : `${path}.arch`;
  },
};

/** Sources larger than this are refused unread: no one writes 16 MiB of architecture by hand. */
export const MAX_SOURCE_BYTES = 16 * 1024 * 1024;

/** Node reads at most 2 GiB into one buffer; weights files are refused above that, unread. */
export const MAX_WEIGHTS_BYTES = 2 ** 31 - 1;

/** Image files beyond this are not training or test images (a 64-megapixel PNG is ~100 MB). */
export const MAX_IMAGE_BYTES = 256 * 1024 * 1024;

/**
 * Reads a file only if it is a regular file of at most `maxBytes`, checked before reading: a FIFO
 * would block forever, /dev/zero never ends, and a huge file would be read whole before anything
 * could object. The open does not wait for a FIFO's writer (O_NONBLOCK), so the check comes first.
 */
export function readRegularFile(path: string, maxBytes: number): { bytes: Buffer } | { error: string } {
  let fd: number | undefined;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    const stats = fstatSync(fd);
    if (stats.isDirectory()) return { error: 'it is a directory' };
    if (!stats.isFile()) return { error: 'it is not a regular file (a device, FIFO or socket)' };
    if (stats.size > maxBytes) return { error: `it is ${formatBytes(stats.size)}, more than the ${formatBytes(maxBytes)} archc reads` };
    return { bytes: readFileSync(fd) };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const known: Record<string, string> = { ENOENT: 'no such file', EISDIR: 'it is a directory', EACCES: 'permission denied', ENOTDIR: 'no such file', ELOOP: 'too many symbolic links' };
    return { error: (code && known[code]) ?? String((e as Error).message) };
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** A size for people: 512 bytes, 3.4 KiB, 97.5 MiB, 1.2 GiB. */
export const formatBytes = (n: number): string =>
  n >= 1024 ** 3 ? `${(n / 1024 ** 3).toFixed(1)} GiB` : n >= 1024 ** 2 ? `${(n / 1024 ** 2).toFixed(1)} MiB` : n >= 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${n} bytes`;

let zooCache: [string, string][] | undefined;

/** Every zoo model file (not the std library), as [name, path], sorted by name. */
export function zooModels(): [string, string][] {
  return (zooCache ??= walkZoo());
}

function walkZoo(): [string, string][] {
  const out: [string, string][] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory() && !(dir === zooRoot && entry.name === 'std')) walk(path);
      else if (entry.isFile() && entry.name.endsWith('.arch')) out.push([entry.name.slice(0, -'.arch'.length), path]);
    }
  };
  if (existsSync(zooRoot)) walk(zooRoot);
  return out.sort(([a], [b]) => a.localeCompare(b));
}

let stdCache: Record<string, string> | undefined;

/** The std block library's files as a memory host names them: `std/mobilenet.arch` → text. */
export function stdLibrary(): Readonly<Record<string, string>> {
  if (!stdCache) {
    const dir = join(zooRoot, 'std');
    const names = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.arch')).sort() : [];
    stdCache = Object.fromEntries(names.map((f) => [`std/${f}`, readFileSync(join(dir, f), 'utf8')]));
  }
  return stdCache;
}

/** A path as given, or a zoo model name such as `resnet50`. */
export function locate(target: string): string {
  if (target.endsWith('.arch') || target.includes('/') || target.includes(sep) || existsSync(target)) return resolvePath(target);
  return zooModels().find(([name]) => name === target)?.[1] ?? resolvePath(target);
}

export const displayPath = (file: string): string => {
  const rel = relative(process.cwd(), file);
  return rel && !rel.startsWith('..') ? rel : file;
};
