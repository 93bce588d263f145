// The file-system side of compiling in Node: reading files, resolving imports and zoo names.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve as resolvePath, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CompileHost } from './loader.js';

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
    try {
      return { text: readFileSync(path, 'utf8') }; // one system call: a zoo-wide check reads a lot
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      const known: Record<string, string> = { ENOENT: 'no such file', EISDIR: 'it is a directory', EACCES: 'permission denied', ENOTDIR: 'no such file' };
      return { error: (code && known[code]) ?? String((e as Error).message) };
    }
  },
  resolve(from, spec) {
    if (spec.startsWith('std/')) return join(zooRoot, `${spec}${spec.endsWith('.arch') ? '' : '.arch'}`);
    const path = resolvePath(dirname(from), spec);
    return path.endsWith('.arch') ? path : `${path}.arch`;
  },
};

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

/** A path as given, or a zoo model name such as `resnet50`. */
export function locate(target: string): string {
  if (target.endsWith('.arch') || target.includes('/') || target.includes(sep) || existsSync(target)) return resolvePath(target);
  return zooModels().find(([name]) => name === target)?.[1] ?? resolvePath(target);
}

export const displayPath = (file: string): string => {
  const rel = relative(process.cwd(), file);
  return rel && !rel.startsWith('..') ? rel : file;
};
