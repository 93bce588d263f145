// The `.arch` files of the editor's workspace folders, so that references and rename reach files
// that are not open (a block renamed in lib.arch is renamed where model.arch calls it). The walk is
// bounded (a workspace may be a home folder) and skips what is never source: hidden folders,
// node_modules, build outputs.
import { readdirSync, statSync, type Dirent } from 'node:fs';
import { join } from 'node:path';
import { load, type CompileHost, type LoadResult } from '../compiler/loader.js';

const SKIPPED = new Set(['node_modules', 'dist', 'build', 'out', '__pycache__']);

export interface WalkLimits {
  /** Folder entries looked at in all, before the walk stops. */
  readonly entries: number;
  /** `.arch` files returned at most. */
  readonly files: number;
}

const DEFAULT_LIMITS: WalkLimits = { entries: 50_000, files: 2_000 };

/** The `.arch` files under `roots`, breadth first, within the limits. */
export function archFilesUnder(roots: readonly string[], limits: WalkLimits = DEFAULT_LIMITS): string[] {
  const files: string[] = [];
  const queue = [...roots];
  let entries = 0;
  while (queue.length > 0 && files.length < limits.files && entries < limits.entries) {
    const dir = queue.shift()!;
    let list: Dirent[];
    try {
      list = readdirSync(dir, { withFileTypes: true });
    } catch {
      continue; // unreadable or gone: not the user's concern here
    }
    for (const entry of list) {
      if (++entries > limits.entries || files.length >= limits.files) break;
      if (entry.name.startsWith('.')) continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!SKIPPED.has(entry.name)) queue.push(path);
      } else if (entry.isFile() && entry.name.endsWith('.arch')) files.push(path);
    }
  }
  return files;
}

/**
 * Each workspace file's parse with its imports, kept while the file on disk and the open buffers
 * (`generation`) are unchanged.
 */
export class WorkspaceFiles {
  private roots: readonly string[] = [];
  private readonly cache = new Map<string, { stamp: string; loaded: LoadResult }>();

  setRoots(roots: readonly string[]): void {
    this.roots = roots;
    this.cache.clear();
  }

  /** The parses of the workspace's files other than `skip` (the open ones, parsed elsewhere). */
  loadAll(host: CompileHost, generation: number, skip: ReadonlySet<string>): LoadResult[] {
    const out: LoadResult[] = [];
    for (const path of archFilesUnder(this.roots)) {
      if (skip.has(path)) continue;
      let stamp: string;
      try {
        const s = statSync(path);
        stamp = `${s.mtimeMs}:${s.size}:${generation}`;
      } catch {
        continue;
      }
      let entry = this.cache.get(path);
      if (entry?.stamp !== stamp) this.cache.set(path, (entry = { stamp, loaded: load(path, host) }));
      out.push(entry.loaded);
    }
    return out;
  }
}
