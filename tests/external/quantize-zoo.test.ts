// Zoo classifiers quantized: at a reduced input size with seeded random weights, each model's int8
// QDQ export (per-channel weights, min–max activations calibrated on pseudo-random images) and its
// float16 export run in onnxruntime-node with finite outputs close to the float32 model's, the int8
// file is ≤ 0.3× the float32 size, and python3-onnx's checker (full_check, strict shape inference)
// accepts both files.
//
// CI runs a representative subset (plain convs, depthwise/grouped convs with hard-swish and
// squeeze-excitation, a classifier that ends in a convolution with no dense layer, channel shuffle,
// and dense layers on tokens, i.e. MatMul): about 40 s on 2 cores. ARCHC_QUANTIZE_ZOO=all runs every
// zoo model with one image input and one class-score output (about 40 minutes on 2 cores: the
// largest models have over 100 M weights even at the reduced size).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compile } from '../../compiler/compile.js';
import { nodeHost, zooModels } from '../../compiler/node-host.js';
import { OnnxChecker } from '../onnx/harness.js';
import { exportVariants, images, isClassifier, runOnce } from '../quantize/harness.js';

const dir = mkdtempSync(join(tmpdir(), 'archc-quantize-zoo-'));
const checker = new OnnxChecker();
afterAll(() => {
  checker.close();
  rmSync(dir, { recursive: true, force: true });
});

const TOKENS = join(dir, 'tokens_head.arch');
writeFileSync(
  TOKENS,
  `// Dense layers applied per position (MatMul with a [in, out] weight), layer norm and GELU on tokens.
model tokens_head(classes = 5) {
  input image: [3, 16, 16]
  x = image |> conv(128, 3, pad=1, bias=false) |> bn |> relu |> transpose([1, 2, 0]) |> layer_norm |> dense(512) |> gelu |> dense(128) |> transpose([2, 0, 1])
  output logits = x |> global_avgpool |> flatten |> dense(classes)
}
`,
);

// Up-sampling with transposed convolutions (a U-Net decoder's): weights per output channel on axis 1.
const DECODER = join(dir, 'decoder_head.arch');
writeFileSync(
  DECODER,
  `model decoder_head(classes = 5) {
  input image: [3, 16, 16]
  x = image |> conv(64, 3, stride=2, pad=1) |> relu |> conv_transpose(64, 2, stride=2) |> relu |> conv_transpose(64, 3, pad=1)
  output logits = x |> global_avgpool |> flatten |> dense(classes)
}
`,
);

const SUBSET = ['lenet5', 'squeezenet1_1', 'mobilenet_v3_small', 'shufflenet_v2_x1_0'];
const all = process.env['ARCHC_QUANTIZE_ZOO'] === 'all';
const zoo = zooModels().filter(([name, path]) => (all ? isClassifier(compile(path, nodeHost).graph!) : SUBSET.includes(name)));
const models: [string, string][] = [...zoo, ['tokens_head (inline)', TOKENS], ['decoder_head (inline)', DECODER]];

/** Largest difference from the float32 output, relative to the float32 output's largest magnitude. */
const relativeError = (a: Float32Array, b: Float32Array) => Math.max(...a.map((v, i) => Math.abs(v - b[i]!))) / Math.max(1e-6, ...a.map(Math.abs));

describe.each(models)('%s', (name, path) => {
  it('runs quantized (int8 QDQ, float16) in onnxruntime, small, close to float32, accepted by python3-onnx', async () => {
    const v = await exportVariants(path, { perChannel: true });
    expect(v.quantizedLayers).toBeGreaterThan(0);
    // Every layer with a constant weight reads it as int8, transposed convolutions included.
    const weightReaders = v.int8Model.graph!.node!.filter((n) => ['Conv', 'ConvTranspose', 'Gemm', 'MatMul'].includes(n.opType!));
    const dequantized = new Set(v.int8Model.graph!.node!.filter((n) => n.opType === 'DequantizeLinear').map((n) => n.output![0]));
    expect(weightReaders.filter((n) => !dequantized.has(n.input![1]!)).map((n) => n.opType)).toEqual([]);
    const input = images(v.graph, 2, 9);
    const [float, int8, half] = await Promise.all([v.float, v.int8, v.float16].map((bytes) => runOnce(bytes, input)));
    expect(int8.length).toBe(float.length);
    expect(int8.every(Number.isFinite) && half.every(Number.isFinite)).toBe(true);
    // Random weights and inputs are far from what int8 is tuned for; trained models do better
    // (tests/quantize/cli.test.ts compares accuracy). The bound still catches a wrong scale or axis.
    // Across the whole zoo it is not asserted: with random weights some deep models' outputs grow to
    // 1e5 and amplify any change (efficientnet_v2_s: float16 alone moves them by half), and models
    // ending in softmax saturate to one-hot rows, so one flipped argmax is an error of 1.
    if (!all) {
      expect(relativeError(float, int8)).toBeLessThan(0.25);
      expect(relativeError(float, half)).toBeLessThan(0.01);
    }
    expect(v.int8.length).toBeLessThanOrEqual(0.3 * v.float.length);
    const file = join(dir, `${name.split(' ')[0]}`);
    writeFileSync(`${file}.int8.onnx`, v.int8);
    writeFileSync(`${file}.float16.onnx`, v.float16);
    expect(await checker.check(`${file}.int8.onnx`), 'python3-onnx on the int8 file').toBe('ok');
    expect(await checker.check(`${file}.float16.onnx`), 'python3-onnx on the float16 file').toBe('ok');
  }, all ? 600_000 : 120_000);
});
