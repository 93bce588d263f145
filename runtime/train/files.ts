// Atomic file output: write a temporary file beside the target, flush it to disk, then rename it
// over the target, so that a crash or a NaN stop never leaves a half-written checkpoint or plot.
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

let counter = 0;

/** Writes `data` (text, bytes, or byte chunks written in order) to `path` atomically. */
export function writeFileAtomic(path: string, data: string | Uint8Array | readonly Uint8Array[]): void {
  mkdirSync(dirname(path), { recursive: true });
  const temp = join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${counter++}`);
  const chunks = typeof data === 'string' ? [Buffer.from(data, 'utf8')] : data instanceof Uint8Array ? [data] : data;
  try {
    const fd = openSync(temp, 'w');
    try {
      for (const chunk of chunks) {
        for (let at = 0; at < chunk.length; ) at += writeSync(fd, chunk, at, chunk.length - at);
      }
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
  } catch (e) {
    rmSync(temp, { force: true });
    throw e;
  }
}

export const writeJsonAtomic = (path: string, value: unknown): void => writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
