// `archc eval` on exported ONNX files: a file exported from a run folder carries its classes, input
// size, normalization and output kind in metadata_props (runtime/persist/training-info.ts
// onnxMetadata), which is all eval needs; onnxruntime-node runs it, quantized (QDQ) or float16
// files included. `--compare FILE.onnx` evaluates more files on the same images and prints their
// size and accuracy beside the first model's, e.g. float32 against int8 and float16.
import { statSync } from 'node:fs';
import { displayPath, formatBytes, MAX_WEIGHTS_BYTES, readRegularFile } from '../../../compiler/node-host.js';
import { onnx } from '../../../compiler/lower-onnx/proto.js';
import type { Normalize } from '../../../runtime/data/batch.js';
import type { ImageSet } from '../../../runtime/data/dataset.js';
import { engineProbabilities } from '../../../runtime/infer/engine-infer.js';
import type { Probabilities } from '../../../runtime/infer/infer.js';
import type { Loaded } from '../../../runtime/persist/training-info.js';
import { argmaxRows, evaluate } from '../../../runtime/train/metrics.js';
import { UsageError, type Parsed } from '../args.js';
import { choiceFlag, ENGINE_CHOICES } from './training-flags.js';
import type { OutputKind } from '../../../runtime/train/losses.js';

export interface OnnxFile {
  readonly path: string;
  readonly bytes: Uint8Array;
  readonly classes: readonly string[];
  /** The image input's IR shape [C, H, W]. */
  readonly shape: readonly number[];
  readonly normalize: Normalize;
  readonly output: OutputKind;
  /** metadata_props `quantization`, when the file is quantized or float16. */
  readonly quantization?: string;
}

export const isOnnxPath = (path: string): boolean => path.toLowerCase().endsWith('.onnx') && statSync(path, { throwIfNoEntry: false })?.isFile() !== false;

/** Refuses the flags that choose weights or a runtime: an .onnx file holds its weights and runs in onnxruntime. */
export function checkOnnxFileFlags(parsed: Parsed): void {
  if (parsed.flags['weights'] !== undefined || parsed.flags['backend'] !== undefined) throw new UsageError('an .onnx file holds its own weights and runs in onnxruntime: --weights and --backend do not apply');
  if (choiceFlag(parsed, 'engine', ENGINE_CHOICES, 'onnxruntime') !== 'onnxruntime') throw new UsageError('an .onnx file runs with --engine onnxruntime');
}

/** Reads an exported file and the preprocessing its metadata states (`command` names who reads it, for messages). */
export function readOnnxFile(path: string, command: 'eval' | 'predict' = 'eval'): Loaded<OnnxFile> & { io?: boolean } {
  const read = readRegularFile(path, MAX_WEIGHTS_BYTES);
  if ('error' in read) return { ok: false, io: true, message: `cannot read ${displayPath(path)}: ${read.error}` };
  let meta: Map<string, string>;
  try {
    const model = onnx.ModelProto.decode(read.bytes);
    meta = new Map((model.metadataProps ?? []).map((p) => [p.key ?? '', p.value ?? '']));
  } catch (e) {
    return { ok: false, io: true, message: `${displayPath(path)} is not an ONNX model: ${(e as Error).message}` };
  }
  const hint = 'export it from a run folder (archc export <run-folder>), which records classes, input size and normalization';
  if (meta.get('task') === 'segmentation') {
    return { ok: false, message: `${displayPath(path)} is a segmentation model; ${command} reads exported classifiers only`, hint: `${command} its run folder instead: archc ${command} <run-folder> --engine onnxruntime runs the same ONNX graph` };
  }
  const json = (key: string): unknown => {
    try {
      return JSON.parse(meta.get(key) ?? '');
    } catch {
      return undefined;
    }
  };
  const classes = json('classes');
  const shape = json('input_shape');
  const mean = json('normalize_mean');
  const std = json('normalize_std');
  const output = meta.get('output');
  const numbers = (x: unknown): x is number[] => Array.isArray(x) && x.length > 0 && x.every((v) => typeof v === 'number');
  const strings = (x: unknown): x is string[] => Array.isArray(x) && x.length > 0 && x.every((v) => typeof v === 'string');
  if (!strings(classes) || !numbers(shape) || shape.length !== 3 || !numbers(mean) || !numbers(std) || (output !== 'logits' && output !== 'probabilities')) {
    return { ok: false, message: `${displayPath(path)} does not say how to feed it (metadata classes, input_shape, normalize_mean, normalize_std, output)`, hint };
  }
  return { ok: true, value: { path, bytes: read.bytes, classes, shape, normalize: { mean, std }, output: output as OutputKind, quantization: meta.get('quantization') } };
}

/** Class probabilities of the set under an ONNX file, in onnxruntime-node. */
export async function onnxFileProbabilities(file: OnnxFile, set: ImageSet, batchSize: number): Promise<Probabilities> {
  const { onnxPredictor } = await import('../../../engines/onnxruntime/index.js');
  const predictor = await onnxPredictor(file.bytes);
  try {
    return await engineProbabilities(predictor, set, { normalize: file.normalize, output: file.output, batchSize });
  } finally {
    await predictor.dispose();
  }
}

export interface ComparedModel {
  readonly name: string;
  readonly bytes: number;
  readonly accuracy: number;
  readonly correct: number;
  readonly what: string;
}

export function accuracyOf(set: ImageSet, p: Probabilities, classes: readonly string[]): { accuracy: number; correct: number } {
  const e = evaluate(set.labels, argmaxRows(p.values, p.rows, p.columns), classes);
  return { accuracy: e.accuracy, correct: Math.round(e.accuracy * e.count) };
}

/** A file given to --compare must read the same images the same way as the model it is compared with. */
export function compatibility(file: OnnxFile, classes: readonly string[], shape: readonly number[]): string | undefined {
  if (file.classes.join('\u0000') !== classes.join('\u0000')) return `${displayPath(file.path)} has classes ${file.classes.join(', ')}, not ${classes.join(', ')}`;
  if (file.shape.join() !== shape.join()) return `${displayPath(file.path)} takes [${file.shape.join(', ')}] images, not [${shape.join(', ')}]`;
  return undefined;
}

export function formatComparison(rows: readonly ComparedModel[], count: number): string {
  const size = formatBytes;
  const width = Math.max(5, ...rows.map((r) => r.name.length));
  const base = rows[0]!;
  const lines = [`\nthe same ${count} images under each model:`, `${'model'.padEnd(width)}  ${'size'.padStart(10)}  ratio  accuracy  weights`];
  for (const r of rows) {
    const ratio = (r.bytes / base.bytes).toFixed(2);
    lines.push(`${r.name.padEnd(width)}  ${size(r.bytes).padStart(10)}  ${ratio.padStart(5)}  ${r.accuracy.toFixed(3).padStart(8)}  ${r.what}`);
  }
  return `${lines.join('\n')}\n`;
}
