// Benchmark section `infer`: resnet50 inference at batch 1 (224×224) on tfjs's wasm backend beside
// onnxruntime-node on the same machine, with the same seeded weights. Target: wasm ≤ 1.5× ORT's
// time (the issue measured ORT at about 39 ms here). webgpu is measured too when a hardware GPU
// adapter exists (a software adapter says nothing about GPU speed).
import * as tf from '@tensorflow/tfjs-core';
import ort from 'onnxruntime-node';
import { compile } from '../../../compiler/compile.js';
import { encodeOnnx } from '../../../compiler/lower-onnx/encode.js';
import { lowerToOnnx } from '../../../compiler/lower-onnx/lower.js';
import { concatChunks } from '../../../compiler/weights/safetensors.js';
import { initWeights } from '../../../compiler/weights/init.js';
import { buildModel, describeBackend, setBackend } from '../../../runtime/index.js';
import { locate, nodeHost } from '../../../compiler/node-host.js';
import { median, type BenchSection, type Figure } from './section.js';

const RUNS = 20;

/** Milliseconds per call: `warmup` unmeasured, then `runs` measured; the median. */
async function timeAsync(f: () => Promise<void>, runs: number, warmup = 3): Promise<number> {
  for (let i = 0; i < warmup; i++) await f();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await f();
    times.push(performance.now() - start);
  }
  return median(times);
}

export const inferSection: BenchSection = {
  name: 'infer',
  summary: 'resnet50 inference, batch 1, 224×224: tfjs (wasm, webgpu on a GPU) beside onnxruntime-node',
  async run() {
    const graph = compile(locate('resnet50'), nodeHost).graph!;
    const weights = initWeights(graph, { seed: 0 });
    const input = Float32Array.from({ length: 3 * 224 * 224 }, (_, k) => Math.sin(k * 0.001));

    const lowered = lowerToOnnx(graph, weights, { producerVersion: 'bench' });
    const session = await ort.InferenceSession.create(concatChunks(encodeOnnx(lowered.model!)));
    const feeds = { image: new ort.Tensor('float32', input, [1, 3, 224, 224]) };
    const ortMs = await timeAsync(async () => void (await session.run(feeds)), RUNS);
    await session.release();

    const figures: Figure[] = [{ label: 'resnet50 onnxruntime-node (cpu)', value: ortMs, unit: 'ms', how: `median of ${RUNS}, default session options` }];
    for (const backend of ['wasm', 'webgpu'] as const) {
      const report = await setBackend(backend);
      if (report.fellBack || (backend === 'webgpu' && !report.adapter?.hardware)) continue;
      const built = buildModel(graph, { weights });
      if (!built.ok) throw new Error(built.diagnostics.map((d) => d.message).join('\n'));
      const x = tf.tidy(() => tf.transpose(tf.tensor(input, [1, 3, 224, 224]), [0, 2, 3, 1]));
      const ms = await timeAsync(async () => {
        const y = built.model.predict(x) as tf.Tensor;
        await y.data();
        y.dispose();
      }, RUNS);
      figures.push({
        label: `resnet50 tfjs ${describeBackend(report)}`,
        value: ms,
        unit: 'ms',
        target: Math.round(1.5 * ortMs),
        lowerIsBetter: true,
        how: `median of ${RUNS}; target 1.5× onnxruntime's ${ortMs.toFixed(1)} ms on this machine`,
      });
      x.dispose();
      built.model.dispose();
    }
    return figures;
  },
};
