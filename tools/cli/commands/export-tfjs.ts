// `archc export --format tfjs`: the model as a TensorFlow.js layers model (a folder with model.json
// + weights.bin, what `archc train` writes and tf.loadLayersModel reads), optionally with
// TensorFlow.js's own weight quantization (--quantization-bytes 1|2). TensorFlow.js is loaded only
// for this format.
import { lstatSync } from 'node:fs';
import { join } from 'node:path';
import type { IrGraph } from '../../../compiler/ir.js';
import { displayPath } from '../../../compiler/node-host.js';
import type { Weights } from '../../../compiler/weights/tensor.js';
import type { QuantizationBytes } from '../../../runtime/persist/tfjs-quantize.js';
import type { Preprocessing } from '../../../runtime/persist/training-info.js';
import { ioReason, makeFolders } from '../../../runtime/persist/files.js';

export type TfjsExport = { ok: true; summary: string } | { ok: false; message: string; exitCode: 1 | 2 };

export async function exportTfjs(
  graph: IrGraph,
  weights: Weights,
  dir: string,
  options: { readonly preprocessing?: Preprocessing; readonly quantizationBytes?: QuantizationBytes },
): Promise<TfjsExport> {
  const existing = lstatSync(dir, { throwIfNoEntry: false });
  if (existing && !existing.isDirectory()) return { ok: false, exitCode: 2, message: `--format tfjs writes a folder (model.json + weights.bin), and ${displayPath(dir)} is a file` };
  const { buildModel, setBackend } = await import('../../../runtime/index.js');
  await setBackend('wasm'); // as the torch engine does: the cpu backend greets Node users with a banner
  const built = buildModel(graph, { weights, origin: 'the weights' });
  if (!built.ok) return { ok: false, exitCode: 1, message: built.diagnostics.map((d) => d.message).join('; ') };
  const { saveTfjsModel } = await import('../../../runtime/persist/checkpoint.js');
  try {
    makeFolders(dir);
    await saveTfjsModel(dir, built.model, { preprocessing: options.preprocessing, quantizationBytes: options.quantizationBytes });
  } catch (e) {
    return { ok: false, exitCode: 2, message: `cannot write ${displayPath(join(dir, 'model.json'))}: ${ioReason(e)}` };
  } finally {
    built.model.dispose();
  }
  const stored = options.quantizationBytes ? `weights quantized to uint${8 * options.quantizationBytes}` : 'float32 weights';
  return { ok: true, summary: `tfjs layers model, ${stored}` };
}
