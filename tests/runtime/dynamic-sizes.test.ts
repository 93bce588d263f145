// A size-generic model's TensorFlow.js model: built with the model at other admissible sizes
// (compiler/symbolic/probes.ts), its input has unknown height and width, and one model (and the
// same model saved and reloaded) predicts at two sizes what the fixed-size builds at those sizes
// predict with the same weights. A layer configured for one size keeps the sizes fixed (W0111).
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../../compiler/compile.js';
import type { IrGraph } from '../../compiler/ir.js';
import { memoryHost } from '../../compiler/memory-host.js';
import { probeGraphs } from '../../compiler/symbolic/probes.js';
import { initWeights } from '../../compiler/weights/init.js';
import { buildModel, metadataOf, setBackend } from '../../runtime/index.js';
import { build, predictNchw, type Batch } from './harness.js';

beforeAll(async () => {
  await setBackend('cpu');
});

// A small U-Net-like segmenter (strided convs, pooling, up-sampling, a skip concat) and a
// classifier ending in global pooling; both size-generic. The third pools adaptively to 3×3.
const files = {
  'seg.arch': `model seg(classes = 2) {
  input image: [3, H, W] = [3, 16, 16]
  e = image |> conv(4, 3, pad=1) |> bn |> relu
  d = e |> conv(8, 3, stride=2, pad=1) |> relu |> maxpool(2)
  u = d |> upsample(2, mode="bilinear") |> conv_transpose(4, 2, stride=2)
  output mask = concat([e, u]) |> conv(classes, 1)
}
`,
  'cls.arch': `model cls(classes = 5) {
  input image: [3, H, W] = [3, 24, 24]
  x = image |> conv(8, 3, stride=2, pad=1) |> bn |> relu |> dwconv(3, stride=2, pad=1) |> relu
  output logits = x |> global_avgpool |> flatten |> dense(classes)
}
`,
  'adaptive.arch': `model adaptive(classes = 5) {
  input image: [3, H, W] = [3, 24, 24]
  x = image |> conv(4, 3, pad=1) |> relu |> adaptive_avgpool(3)
  output logits = x |> flatten |> dense(classes)
}
`,
};

function compiled(file: string, inputs: Record<string, number[]> = {}) {
  const r = compile(file, memoryHost(files), { inputs });
  if (!r.ok || !r.graph) throw new Error(r.diagnostics.map((d) => d.message).join('\n'));
  return r;
}

function probes(file: string): { graph: IrGraph; probes: IrGraph[] } {
  const r = compiled(file);
  const p = probeGraphs(r.graph!, { analysis: r.sizes!, compileAt: r.compileAt! });
  if ('refused' in p) throw new Error(p.refused.reason);
  return { graph: r.graph!, probes: p.graphs };
}

const input = (dims: number[]): Batch => ({ dims, data: Float32Array.from({ length: dims.reduce((a, b) => a * b, 1) }, (_, k) => Math.sin((k + 1) * 12.9898)) });

const maxDiff = (a: Batch, b: Batch) => {
  expect(a.dims).toEqual(b.dims);
  return a.data.reduce((m, x, i) => Math.max(m, Math.abs(x - b.data[i]!)), 0);
};

describe.each([
  ['seg.arch', [[3, 32, 48], [3, 80, 64]]],
  ['cls.arch', [[3, 40, 40], [3, 37, 53]]],
])('%s', (file, sizes) => {
  it('accepts any admissible size, as built and as saved and reloaded', async () => {
    const { graph, probes: others } = probes(file);
    const weights = initWeights(graph, { seed: 4 });
    const built = buildModel(graph, { weights, probes: others });
    if (!built.ok) throw new Error(built.diagnostics.map((d) => d.message).join('\n'));
    expect(built.diagnostics).toEqual([]);
    expect(built.model.inputs[0]!.shape).toEqual([null, null, null, 3]);
    // The same model saved as model.json + weights and loaded back, as a user would.
    let artifacts: tf.io.ModelArtifacts | undefined;
    await built.model.save(tf.io.withSaveHandler(async (a) => ((artifacts = a), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } })));
    const reloaded = await tfl.loadLayersModel(tf.io.fromMemory(artifacts!));
    expect(reloaded.inputs[0]!.shape).toEqual([null, null, null, 3]);
    for (const shape of sizes) {
      const fixed = build(compiled(file, { image: shape }).graph!, weights);
      const feed = { image: input([2, ...shape]) };
      const want = Object.values(await predictNchw(fixed.model, fixed.metadata, feed))[0]!;
      for (const model of [built.model, reloaded]) {
        const got = Object.values(await predictNchw(model, metadataOf(model)!, feed))[0]!;
        expect(maxDiff(got, want), `${file} at ${shape}`).toBeLessThanOrEqual(1e-5);
      }
      fixed.model.dispose();
    }
    built.model.dispose();
    reloaded.dispose();
  }, 60_000);
});

it('keeps fixed sizes with W0111 at a layer configured for one size', () => {
  const { graph, probes: others } = probes('adaptive.arch');
  const built = buildModel(graph, { probes: others });
  if (!built.ok) throw new Error(built.diagnostics.map((d) => d.message).join('\n'));
  expect(built.model.inputs[0]!.shape).toEqual([null, 24, 24, 3]);
  expect(built.diagnostics.map((d) => d.code)).toEqual(['W0111']);
  expect(built.diagnostics[0]!.message).toMatch(/^the TensorFlow\.js model keeps fixed input sizes \(image \[3, 24, 24\]\): adaptive_avgpool /);
  built.model.dispose();
});
