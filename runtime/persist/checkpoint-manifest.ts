// A checkpoint is one unit: its files are replaced one by one (each atomically), so a run killed
// while saving leaves some files of the new checkpoint beside others of the old one. training.json,
// written last, lists the size and SHA-256 of every file of its checkpoint; a resumed run (and
// anything else that must trust the folder) checks them and refuses a folder whose files do not
// match, naming the file, instead of silently continuing from a mixture (a missing or truncated
// optimizer.safetensors used to restart the optimizer without a word).
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { MAX_WEIGHTS_BYTES, readRegularFile } from '../../compiler/node-host.js';
import { readSafetensors } from '../../compiler/weights/safetensors.js';
import type { WeightTensor } from '../../compiler/weights/tensor.js';
import { files, type Loaded, type TrainingInfo } from './training-info.js';

/** What training.json records of one checkpoint file. */
export interface FileDigest {
  readonly bytes: number;
  readonly sha256: string;
}

export type CheckpointManifest = Readonly<Record<string, FileDigest>>;

/** The digest of data about to be written (text, bytes or byte chunks in order). */
export function digestOf(data: string | Uint8Array | readonly Uint8Array[]): FileDigest {
  const chunks = typeof data === 'string' ? [Buffer.from(data, 'utf8')] : data instanceof Uint8Array ? [data] : data;
  const hash = createHash('sha256');
  let bytes = 0;
  for (const c of chunks) {
    hash.update(c);
    bytes += c.byteLength;
  }
  return { bytes, sha256: hash.digest('hex') };
}

/** The digest of a file on disk, read in pieces (weights may be gigabytes). */
function digestOfFile(path: string): FileDigest {
  const fd = openSync(path, 'r');
  try {
    const hash = createHash('sha256');
    const buffer = Buffer.allocUnsafe(1 << 22);
    let bytes = 0;
    for (let n; (n = readSync(fd, buffer, 0, buffer.length, null)) > 0; bytes += n) hash.update(buffer.subarray(0, n));
    return { bytes, sha256: hash.digest('hex') };
  } finally {
    closeSync(fd);
  }
}

/**
 * Checks that the files training.json lists (all of them, or only `only`) are the ones it was
 * written with. Folders written before the manifest have none and pass; their optimizer file is
 * checked by its step instead (optimizerStepMatches).
 */
export function verifyCheckpoint(dir: string, info: TrainingInfo, only?: readonly string[]): Loaded<void> {
  if (info.state === undefined || info.epoch === undefined) return { ok: false, message: `${join(dir, files.training)} holds no training state to resume from` };
  const manifest = info.checkpoint;
  if (!manifest) return { ok: true, value: undefined };
  const hint = `the run was probably stopped while saving a checkpoint; start over with --force, or keep the weights with --weights ${join(dir, files.safetensors)} if that file is whole`;
  for (const [name, want] of Object.entries(manifest)) {
    if (only && !only.includes(name)) continue;
    const path = join(dir, name);
    const stat = statSync(path, { throwIfNoEntry: false });
    const where = `the checkpoint in ${dir} (epoch ${info.epoch}) is not whole`;
    if (!stat?.isFile()) return { ok: false, message: `${where}: ${name} is missing`, hint };
    if (stat.size !== want.bytes) {
      return { ok: false, message: `${where}: ${name} holds ${stat.size.toLocaleString('en-US')} bytes where training.json records ${want.bytes.toLocaleString('en-US')}`, hint };
    }
    if (digestOfFile(path).sha256 !== want.sha256) return { ok: false, message: `${where}: ${name} is not the file training.json records (its SHA-256 differs)`, hint };
  }
  return { ok: true, value: undefined };
}

/**
 * The optimizer slots of the checkpoint; undefined when it has none (an optimizer without slots, or
 * a folder from before the manifest without the file). A file that is there but unreadable, or
 * records another step than training.json, is an error: resuming without it would restart the
 * optimizer.
 */
export function readOptimizerFile(dir: string, info: TrainingInfo): Loaded<{ weights: Map<string, WeightTensor>; metadata: Record<string, string> }> | undefined {
  const path = join(dir, files.optimizer);
  const listed = info.checkpoint ? files.optimizer in info.checkpoint : statSync(path, { throwIfNoEntry: false }) !== undefined;
  if (!listed) return undefined;
  const hint = 'the optimizer state of the checkpoint is damaged; start over with --force';
  const file = readRegularFile(path, MAX_WEIGHTS_BYTES);
  if ('error' in file) return { ok: false, message: `cannot read ${path}: ${file.error}`, hint };
  const read = readSafetensors(file.bytes);
  if (!read.ok) return { ok: false, message: `${path}: ${read.error}`, hint };
  const step = read.metadata['step'];
  if (step !== undefined && Number(step) !== info.state.optimizerStep) {
    return { ok: false, message: `the checkpoint in ${dir} is not whole: ${files.optimizer} is from optimizer step ${step}, training.json from step ${info.state.optimizerStep}`, hint: 'the run was probably stopped while saving a checkpoint; start over with --force' };
  }
  return { ok: true, value: { weights: read.weights, metadata: read.metadata } };
}
