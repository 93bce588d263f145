// The onnxruntime engine: archc's ONNX export of a graph, run by onnxruntime-node on the CPU. It adds
// nothing per call beyond wrapping the batch in an ort.Tensor (`npm run bench infer` measures it
// beside a bare onnxruntime session).
import type { IrGraph } from '../../compiler/ir.js';
import { encodeOnnx } from '../../compiler/lower-onnx/encode.js';
import { lowerToOnnx } from '../../compiler/lower-onnx/lower.js';
import { concatChunks } from '../../compiler/weights/safetensors.js';
import type { Weights } from '../../compiler/weights/tensor.js';
import type { Engine, Predictor } from '../engine.js';

type Ort = typeof import('onnxruntime-node');

/** onnxruntime-node, loaded on first use (an optional dependency: a missing one is reported by the CLI with its install line). */
export async function loadOrt(): Promise<Ort> {
  const module = (await import('onnxruntime-node')) as Ort & { default?: Ort };
  return module.default ?? module;
}

/** A predictor over ONNX bytes (an exported file, or a graph lowered in memory). */
export async function onnxPredictor(bytes: Uint8Array): Promise<Predictor> {
  const ort = await loadOrt();
  const session = await ort.InferenceSession.create(bytes);
  const [input] = session.inputNames;
  const [output] = session.outputNames;
  return {
    engine: 'onnxruntime',
    async predict(batch, dims) {
      const result = await session.run({ [input!]: new ort.Tensor('float32', batch, dims) }, [output!]);
      const y = result[output!]!;
      return { data: y.data as Float32Array, dims: y.dims };
    },
    dispose: () => session.release(),
  };
}

export const onnxruntimeEngine: Engine = {
  name: 'onnxruntime',
  async load(graph: IrGraph, weights: Weights) {
    const lowered = lowerToOnnx(graph, weights, { producerVersion: 'archc (in memory)' });
    if (!lowered.model) throw new Error(`archc: the model does not lower to ONNX: ${lowered.diagnostics.map((d) => d.message).join('; ')}`);
    return onnxPredictor(concatChunks(encodeOnnx(lowered.model)));
  },
};
