// The run-time engines behind one small interface: an engine loads a compiled graph with its
// IR-named weights and predicts. tfjs (runtime/) also trains; onnxruntime (engines/onnxruntime/) is
// the fast inference path in Node; torch (engines/torch/) runs PyTorch in a Python worker. Each is
// an optional dependency, imported only when chosen (engines/optional.ts).
import type { IrGraph } from '../compiler/ir.js';
import type { Weights } from '../compiler/weights/tensor.js';

/** One output of a prediction: row-major values and their dimensions, batch first. */
export interface Output {
  readonly data: Float32Array;
  readonly dims: readonly number[];
}

/** A model loaded by an engine. */
export interface Predictor {
  readonly engine: string;
  /** The model's first output for one batch of its first input, in the IR layout (NCHW for images). */
  predict(batch: Float32Array, dims: readonly number[]): Promise<Output>;
  /** Frees the engine's memory for this model. */
  dispose(): Promise<void>;
}

export interface Engine {
  readonly name: string;
  load(graph: IrGraph, weights: Weights): Promise<Predictor>;
}
