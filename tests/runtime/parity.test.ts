// The definitive check of the tfjs lowering: every zoo model, with the same seeded weights, gives
// the same outputs in tfjs as its ONNX export gives in onnxruntime-node, on the wasm backend, and
// on the (slow, pure JavaScript) cpu backend for the smaller models. Large models run at a reduced
// input size where the architecture allows it; tools/dev/check-tfjs-parity.ts runs the declared sizes.
// Tolerance: |tfjs − onnxruntime| ≤ 1e-4 · max(1, max |onnxruntime|): float32 sums in another
// order differ by a few ulps of the output's scale, and seeded weights without trained batch-norm
// statistics let deep residual networks reach logits of 1e3 to 1e8.
// A model whose golden sidecar names `parity.upTo` is compared at that layer instead: with such
// weights some deep networks are chaotic (EfficientNetV2-S's SE gates on activations in the
// thousands: float32 rounding grows about 3× per block, and tfjs's cpu and wasm backends then differ
// from each other as much as from onnxruntime); the golden says why. A golden's `parity.tolerance`
// replaces 1e-4 where a model is discontinuous by nature (SegNet's max unpooling: where two values
// of a pooling window differ by float32 rounding, engines may pick different argmax positions).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initWeights } from '../../compiler/weights/init.js';
import { setBackend } from '../../runtime/index.js';
import { zooModels } from '../../compiler/node-host.js';
import { compileReduced, parityOf } from '../onnx/harness.js';
import { build, difference, inputsFor, onnxOutputs, predictNchw, truncate, type Batch } from './harness.js';

/** Models up to this many MACs (at the size tested) also run on the cpu backend. */
const CPU_MACS = 300e6;

beforeAll(async () => {
  expect((await setBackend('wasm')).active).toBe('wasm');
});
afterAll(async () => {
  await setBackend('wasm');
});

async function outputsOn(backend: 'wasm' | 'cpu', graph: Parameters<typeof build>[0], weights: ReturnType<typeof initWeights>, inputs: Record<string, Batch>) {
  await tf.setBackend(backend);
  const { model, metadata } = build(graph, weights);
  const outputs = await predictNchw(model, metadata, inputs);
  model.dispose();
  return outputs;
}

describe.each(zooModels())('%s', (_name, path) => {
  it('gives onnxruntime\'s outputs on wasm (and cpu when small)', async () => {
    const { graph: whole, result } = compileReduced(path);
    const { upTo, tolerance = 1e-4 } = parityOf(path);
    const graph = upTo ? truncate(whole, upTo) : whole;
    const weights = initWeights(graph, { seed: 7 });
    const inputs = inputsFor(graph, 2);
    const reference = await onnxOutputs(graph, weights, inputs);
    const backends = (result.report?.macs ?? Infinity) <= CPU_MACS ? (['wasm', 'cpu'] as const) : (['wasm'] as const);
    for (const backend of backends) {
      const outputs = await outputsOn(backend, graph, weights, inputs);
      for (const o of graph.outputs) {
        const got = outputs[o.name]!;
        const want = reference[o.name]!;
        expect(got.dims, `${o.name} on ${backend}`).toEqual(want.dims);
        const { max, scale } = difference(got, want);
        expect(max, `${o.name} on ${backend}: max |Δ| ${max} at output scale ${scale}`).toBeLessThanOrEqual(tolerance * Math.max(1, scale));
      }
    }
  }, 300_000);
});
