// Atomic file output for checkpoints, metrics and plots (temp file + rename, through
// tools/write-file.ts), creating the folder first: a crash or a NaN stop never leaves a
// half-written file behind.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { ioReason, writeFileWhole } from '../../tools/write-file.js';

/** Writes `data` (text, bytes, or byte chunks written in order) to `path` atomically. */
export function writeFileAtomic(path: string, data: string | Uint8Array | readonly Uint8Array[]): void {
  mkdirSync(dirname(path), { recursive: true });
  const chunks = typeof data === 'string' ? [Buffer.from(data, 'utf8')] : data instanceof Uint8Array ? [data] : data;
  writeFileWhole(path, chunks);
}

export const writeJsonAtomic = (path: string, value: unknown): void => writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`);

/** A file-system error (EACCES, ENOSPC, ...) as opposed to a bug. */
export const isFileError = (e: unknown): boolean => typeof (e as NodeJS.ErrnoException)?.code === 'string';

export { ioReason };
