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
  const where = `the checkpoint in ${dir} (epoch ${info.epoch}) is not whole`;
  const names = Object.keys(manifest).filter((name) => !only || only.includes(name));
  for (const name of names) {
    const size = sizeProblem(dir, name, manifest[name]!, where, hint);
    if (size) return size;
    if (digestOfFile(join(dir, name)).sha256 !== manifest[name]!.sha256) return { ok: false, io: true, message: `${where}: ${name} is not the file training.json records (its SHA-256 differs)`, hint };
  }
  return { ok: true, value: undefined };
}

/** A listed file that is missing or not of the size training.json records, as a problem; else undefined. */
function sizeProblem(dir: string, name: string, want: FileDigest, where: string, hint: string): { ok: false; io: true; message: string; hint: string } | undefined {
  const stat = statSync(join(dir, name), { throwIfNoEntry: false });
  if (!stat?.isFile()) return { ok: false, io: true, message: `${where}: ${name} is missing`, hint };
  if (stat.size === want.bytes) return undefined;
  return { ok: false, io: true, message: `${where}: ${name} holds ${stat.size.toLocaleString('en-US')} bytes where training.json records ${want.bytes.toLocaleString('en-US')}`, hint };
}

/**
 * Reads one file of a trained-model folder, checked against training.json's list (when `info` has
 * one): first the sizes of all the files listed (cheap: a missing or truncated file is named
 * whichever file the command reads, since the folder is one unit), then the SHA-256 of the bytes
 * read. Every command that loads a run folder reads its files through here (predict, eval,
 * explain, features, export, --weights FOLDER, the optimizer file of --resume).
 *
 * Why hash on every load and not only on --resume: a file from another checkpoint of the same model
 * (what a run killed while saving leaves) has exactly the size of the right one, so only the hash
 * tells them apart; and the file is in memory anyway, so the hash costs no second read. Measured
 * with Node 20's SHA-256 (SHA-NI) on 102 MB, resnet50's weights: 0.13-0.15 s on a loaded 2-core
 * machine, against several seconds to build and run the model; an under-0.2 s price for 100 MB.
 */
export function readPiece(dir: string, info: TrainingInfo | undefined, name: string, maxBytes = MAX_WEIGHTS_BYTES): Loaded<Buffer> {
  const path = join(dir, name);
  const want = info?.checkpoint?.[name];
  const where = `the model in ${dir}${info?.epoch !== undefined ? ` (epoch ${info.epoch})` : ''} is not whole`;
  const hint = 'the folder was changed or partly copied after training, or the run stopped while saving; restore it from a copy, or train again';
  for (const [listed, digest] of Object.entries(info?.checkpoint ?? {})) {
    const size = sizeProblem(dir, listed, digest, where, hint);
    if (size) return size;
  }
  const file = readRegularFile(path, maxBytes);
  if ('error' in file) return { ok: false, io: true, message: `cannot read ${path}: ${file.error}` };
  if (want && digestOf(file.bytes).sha256 !== want.sha256) {
    return { ok: false, io: true, message: `${where}: ${name} is not the file training.json records (its SHA-256 differs)`, hint };
  }
  return { ok: true, value: file.bytes };
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
  const file = readPiece(dir, info, files.optimizer);
  if (!file.ok) return { ...file, hint: file.hint ?? hint };
  const read = readSafetensors(file.value);
  if (!read.ok) return { ok: false, message: `${path}: ${read.error}`, hint };
  const step = read.metadata['step'];
  if (step !== undefined && Number(step) !== info.state.optimizerStep) {
    return { ok: false, message: `the checkpoint in ${dir} is not whole: ${files.optimizer} is from optimizer step ${step}, training.json from step ${info.state.optimizerStep}`, hint: 'the run was probably stopped while saving a checkpoint; start over with --force' };
  }
  return { ok: true, value: { weights: read.weights, metadata: read.metadata } };
}
