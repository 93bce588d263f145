// Benchmark section `infer`: resnet50 inference at batch 1 (224×224) in one run, with the same
// seeded weights: a bare onnxruntime-node session, archc's onnxruntime engine (target: ≤ 1.1× the
// bare session, i.e. archc adds nothing) and tfjs's wasm backend (target: ≤ 1.5× onnxruntime; about
// 39 ms for onnxruntime on an idle 2-core machine). webgpu is measured too when a hardware GPU
// adapter exists (a software adapter says nothing about GPU speed).
import * as tf from '@tensorflow/tfjs-core';
import ort from 'onnxruntime-node';
import { compile } from '../../../compiler/compile.js';
import { encodeOnnx } from '../../../compiler/lower-onnx/encode.js';
import { lowerToOnnx } from '../../../compiler/lower-onnx/lower.js';
import { concatChunks } from '../../../compiler/weights/safetensors.js';
import { initWeights } from '../../../compiler/weights/init.js';
import { buildModel, describeBackend, setBackend } from '../../../runtime/index.js';
import { onnxPredictor } from '../../../engines/onnxruntime/index.js';
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

/** Medians in milliseconds of `fs`, run in turn `runs` times each after `warmup` rounds. */
async function timeAlternating(fs: (() => Promise<void>)[], runs: number, warmup = 3): Promise<number[]> {
  for (let i = 0; i < warmup; i++) for (const f of fs) await f();
  const times = fs.map((): number[] => []);
  for (let i = 0; i < runs; i++) {
    for (const [k, f] of fs.entries()) {
      const start = performance.now();
      await f();
      times[k]!.push(performance.now() - start);
    }
  }
  return times.map(median);
}

export const inferSection: BenchSection = {
  name: 'infer',
  summary: "resnet50 inference, batch 1, 224×224: onnxruntime-node, archc's onnxruntime engine, tfjs (wasm, webgpu on a GPU)",
  async run() {
    const graph = compile(locate('resnet50'), nodeHost).graph!;
    const weights = initWeights(graph, { seed: 0 });
    const input = Float32Array.from({ length: 3 * 224 * 224 }, (_, k) => Math.sin(k * 0.001));

    const lowered = lowerToOnnx(graph, weights, { producerVersion: 'bench' });
    const bytes = concatChunks(encodeOnnx(lowered.model!));
    const session = await ort.InferenceSession.create(bytes);
    const feeds = { image: new ort.Tensor('float32', input, [1, 3, 224, 224]) };
    const predictor = await onnxPredictor(bytes);
    // Call for call, alternating: a machine whose load changes during the run slows both alike.
    const [ortMs, engineMs] = await timeAlternating([
      async () => void (await session.run(feeds)),
      async () => void (await predictor.predict(input, [1, 3, 224, 224])),
    ], RUNS);
    await session.release();
    await predictor.dispose();

    const figures: Figure[] = [
      { label: 'resnet50 onnxruntime-node (cpu)', value: ortMs, unit: 'ms', how: `median of ${RUNS}, default session options, alternating with the next` },
      {
        label: 'resnet50 archc --engine onnxruntime',
        value: engineMs,
        unit: 'ms',
        target: Math.round(1.1 * ortMs * 10) / 10,
        lowerIsBetter: true,
        how: `median of ${RUNS}; target 1.1× the bare session's ${ortMs.toFixed(1)} ms`,
      },
    ];
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
