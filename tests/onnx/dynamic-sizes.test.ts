// The size-generic ONNX export: a zoo model whose input names size variables is exported once, with
// H and W as named dynamic dims, and onnxruntime runs that one file at several admissible sizes. At
// each size its outputs equal those of archc's own fixed-size export compiled at that size (same
// weights, same input) within 1e-5. Models whose lowering bakes a size in fall back to fixed sizes
// with a warning W0110 at the op.
import ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { dimsOf } from '../../compiler/lower-onnx/proto.js';
import { locate } from '../../compiler/node-host.js';
import type { Weights } from '../../compiler/weights/tensor.js';
import { bytesOf, compileAt, exportSizeGeneric as exportGeneric, lower, session } from './harness.js';

/** Pseudo-random input values, the same for both runs. */
const input = (dims: number[]) => new ort.Tensor('float32', Float32Array.from({ length: dims.reduce((a, b) => a * b, 1) }, (_, k) => Math.sin(k * 12.9898) * 0.5), dims);

async function outputs(s: ort.InferenceSession, name: string, dims: number[]): Promise<Float32Array[]> {
  const out = await s.run({ [name]: input(dims) });
  return Object.values(out).map((t) => t.data as Float32Array);
}

/** The dynamic export at `size` against the fixed export compiled at `size`, with the same weights. */
async function compareAt(name: string, generic: ort.InferenceSession, weights: Weights, shape: number[]): Promise<number> {
  const fixed = compileAt(locate(name), { image: shape })!;
  expect(fixed, `${name} compiles at ${shape}`).toBeDefined();
  const reference = await session(bytesOf(lower(fixed, weights)), true);
  const [a, b] = [await outputs(generic, 'image', [2, ...shape]), await outputs(reference, 'image', [2, ...shape])];
  await reference.release();
  expect(a.length).toBe(b.length);
  let diff = 0;
  a.forEach((t, k) => {
    expect(t.length).toBe(b[k]!.length);
    for (let i = 0; i < t.length; i++) diff = Math.max(diff, Math.abs(t[i]! - b[k]![i]!));
  });
  return diff;
}

const cases: [string, number[][]][] = [
  ['unet_same', [[3, 32, 32], [3, 48, 64], [3, 80, 48]]],
  ['resnet50', [[3, 64, 64], [3, 97, 75]]],
  ['mobilenet_v2', [[3, 64, 64], [3, 96, 80], [3, 57, 71]]],
  ['efficientnet_b0', [[3, 64, 64], [3, 75, 90]]],
  // Its channel shuffles reshape to [N, 2, C/2, H', W']: the targets are read from shapes at run time.
  ['shufflenet_v2_x1_0', [[3, 64, 96], [3, 83, 61]]],
  // Up-sampled to the input's size (`upsample(size=[H, W])`, and ASPP's pooled branch to its map's).
  ['deeplabv3_resnet50', [[3, 65, 80], [3, 97, 56]]],
];

describe.each(cases)('%s exported with dynamic sizes', (name, sizes) => {
  it('names its size variables and runs at several sizes like the fixed exports', async () => {
    const { model, weights, warnings } = exportGeneric(name);
    expect(warnings).toEqual([]);
    const g = model.graph!;
    expect(dimsOf(g.input![0]!)).toEqual(['N', 3, 'H', 'W']);
    if (name.startsWith('shufflenet')) expect(g.node!.filter((n) => n.opType === 'Shape').length).toBeGreaterThan(0);
    const generic = await session(bytesOf(model), true);
    for (const shape of sizes) expect(await compareAt(name, generic, weights, shape), `${name} at ${shape}`).toBeLessThanOrEqual(1e-5);
    await generic.release();
  }, 180_000);
});

describe('dynamic dims', () => {
  it('names the output sizes as the compiler prints them', () => {
    const { model } = exportGeneric('unet_same');
    expect(dimsOf(model.graph!.output![0]!)).toEqual(['N', 2, 'H', 'W']);
    const inner = (model.graph!.valueInfo ?? []).map(dimsOf).filter((d) => d?.includes('H/16'));
    expect(inner.length).toBeGreaterThan(0);
    expect(model.metadataProps!.find((p) => p.key === 'input_sizes')?.value).toBe('valid for H, W ≡ 0 (mod 16), H, W ≥ 16');
  });

  it('keeps fixed sizes with W0110 at the op when a lowering bakes the size in', () => {
    const { model, warnings } = exportGeneric('vgg11');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^W0110 the ONNX export keeps fixed input sizes \(image \[3, 224, 224\]\): adaptive_avgpool avgpool/);
    expect(dimsOf(model.graph!.input![0]!)).toEqual(['N', 3, 224, 224]);
  });
});
