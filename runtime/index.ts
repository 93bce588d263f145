// archc's TensorFlow.js runtime: lower a compiled graph to a tf.LayersModel (fit, predict, save,
// tf.loadLayersModel), choose the backend, and move IR-named weights in and out.
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { IrGraph } from '../compiler/ir.js';
import { hasErrors, type Diagnostic } from '../compiler/diagnostics.js';
import { checkWeights } from '../compiler/weights/check.js';
import { materializeProblem } from '../compiler/weights/footprint.js';
import { initWeights } from '../compiler/weights/init.js';
import type { Weights } from '../compiler/weights/tensor.js';
import { lowerGraph, type Tap } from './build.js';
import type { ArchcMetadata } from './metadata.js';
import { loadWeights } from './weights.js';

export { lowerGraph, type BuildResult, type LowerOptions, type Tap } from './build.js';
export { setBackend, describeBackend, BACKENDS, type BackendName, type BackendReport } from './backend.js';
export { loadWeights, saveWeights } from './weights.js';
export { metadataOf, type ArchcMetadata, type TensorIo, type BoundWeight } from './metadata.js';
export { toTfjsLayout, fromTfjsLayout } from './layout.js';
export type { Layout, TfjsLowering, LowerKit } from '../compiler/lower-tfjs/contract.js';

export interface BuildOptions {
  /** IR-named weights (safetensors, ONNX initializers); default: seeded initialisation. */
  readonly weights?: Weights;
  /** Seed of the default initialisation (compiler/weights/init.ts; the ONNX export uses it too). */
  readonly seed?: number;
  /** Where `weights` came from, for messages. */
  readonly origin?: string;
  /** Node ids whose outputs to expose (runtime/build.ts, Tap). */
  readonly taps?: readonly number[];
  /** The model at other admissible sizes, for a size-generic model (see LowerOptions in build.ts). */
  readonly probes?: readonly IrGraph[];
}

export type BuiltModel =
  | { readonly ok: true; readonly model: LayersModel; readonly metadata: ArchcMetadata; readonly diagnostics: readonly Diagnostic[]; readonly taps?: readonly Tap[] }
  | { readonly ok: false; readonly diagnostics: readonly Diagnostic[] };

/**
 * Builds the tfjs model of a compiled graph on the current backend and fills its weights. Inputs
 * and outputs that are images are NHWC (`metadata.inputs[i].layout === 'cl'`).
 */
export function buildModel(graph: IrGraph, options: BuildOptions = {}): BuiltModel {
  const tooLarge = materializeProblem(graph);
  if (tooLarge) return { ok: false, diagnostics: [tooLarge] };
  if (options.weights) {
    const problems = checkWeights(graph, options.weights, options.origin ?? 'the weights');
    if (hasErrors(problems)) return { ok: false, diagnostics: problems };
  }
  const built = lowerGraph(graph, { taps: options.taps, probes: options.probes });
  if (!built.ok) return built;
  const weights = options.weights ?? initWeights(graph, { seed: options.seed ?? 0 });
  const problems = loadWeights(built.model, weights);
  if (problems.length) throw new Error(`archc: weights did not load after checking: ${problems.join('; ')}`);
  return built;
}
