// `archc train` on a size-generic model (`input image: [3, H, W] = [3, 16, 16]`) trains at the
// default size and saves a model.json whose input takes any size: the saved model, reloaded as
// users load it, predicts at another size what a model built at that size with the trained
// weights predicts.
import * as tf from '@tensorflow/tfjs-core';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { compile } from '../../compiler/compile.js';
import { nodeHost } from '../../compiler/node-host.js';
import { readSafetensors } from '../../compiler/weights/safetensors.js';
import { readFileSync } from 'node:fs';
import { loadSavedModel } from '../../runtime/persist/checkpoint.js';
import { buildModel } from '../../runtime/index.js';
import { main } from '../../tools/cli/main.js';
import { tempDir, writeFile } from './fixtures.js';

const root = tempDir();
const arch = join(root, 'generic.arch');
writeFile(arch, `model generic(classes = 3) {
  input image: [3, H, W] = [3, 16, 16]
  x = image |> conv(8, 3, stride=2, pad=1) |> bn |> relu |> upsample(2) |> conv(8, 3, pad=1) |> relu
  output logits = x |> global_avgpool |> flatten |> dense(classes)
}
`);

afterEach(() => vi.restoreAllMocks());

describe('archc train on a size-generic model', () => {
  it('saves a model.json that predicts at any admissible size', async () => {
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const out = join(root, 'run');
    const status = await main(['train', arch, '--data', 'synthetic', '--samples', '12', '-o', out, '--backend', 'wasm', '--epochs', '1', '-b', '4']);
    expect(status).toBe(0);
    const loaded = await loadSavedModel(out);
    if (!loaded.ok) throw new Error(loaded.message);
    const model = loaded.value;
    expect(model.inputs[0]!.shape).toEqual([null, null, null, 3]);
    const read = readSafetensors(readFileSync(join(out, 'model.safetensors')));
    if (!read.ok) throw new Error(read.error);
    for (const [h, w] of [[16, 16], [27, 40]]) {
      const fixed = buildModel(compile(arch, nodeHost, { inputs: { image: [3, h!, w!] } }).graph!, { weights: read.weights });
      if (!fixed.ok) throw new Error(fixed.diagnostics.map((d) => d.message).join('\n'));
      const x = tf.randomUniform([2, h!, w!, 3], -1, 1, 'float32', 7);
      const [a, b] = [model.predict(x) as tf.Tensor, fixed.model.predict(x) as tf.Tensor];
      expect(a.shape).toEqual([2, 3]);
      expect(tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]).toBeLessThanOrEqual(1e-5);
      tf.dispose([x, a, b]);
      fixed.model.dispose();
    }
    model.dispose();
  }, 120_000);
});
