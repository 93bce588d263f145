// A model saved by archc opens in a plain TensorFlow.js program: a child process that imports only
// tfjs and `archc/runtime` (the package's export, resolved as a user's project resolves it) loads
// model.json with tf.loadLayersModel and predicts what archc predicts. Without `archc/runtime`
// tfjs-layers does not know archc's custom layers, and says so; a model whose ops all have a
// tfjs-layers equivalent is saved with those layers only and loads without archc at all, ResNet's
// stem too (its first convolution and padded max pooling train as archc layers; runtime/persist/
// portable.ts saves them as the plain layers they equal).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initWeights } from '../../compiler/weights/init.js';
import { compile } from '../../compiler/compile.js';
import { nodeHost, packageRoot, zooModels } from '../../compiler/node-host.js';
import { portableTopology } from '../../runtime/persist/portable.js';
import { buildModel, setBackend } from '../../runtime/index.js';
import { compileText } from '../helpers.js';
import { loadSavedModel } from '../../runtime/persist/checkpoint.js';
import { main } from '../../tools/cli/main.js';

// Ops that tfjs-layers has no layer for, so the saved model needs archc's custom layers.
const source = `model custom {
  input x: [4, 10, 10]
  y = x |> conv(8, 3, pad=[0, 1, 1, 2], groups=2) |> bn |> prelu |> channel_shuffle(2) |> lrn(3)
  output logits = y |> adaptive_avgpool(3) |> flatten |> dense(5)
}`;

const scratch = mkdtempSync(join(tmpdir(), 'archc-plain-tfjs-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const input = Array.from({ length: 3 * 32 * 32 }, (_, k) => Math.sin(k * 0.7));
let expected: number[];

// A project of its own: node_modules links to archc (this checkout) and to the tfjs packages archc
// resolves, so both see one copy of tfjs, as npm's deduplication gives a user.
beforeAll(async () => {
  await setBackend('cpu');
  const graph = compileText(source).graph!;
  const built = buildModel(graph, { weights: initWeights(graph, { seed: 3 }) });
  if (!built.ok) throw new Error(built.diagnostics.map((d) => d.message).join('\n'));
  const x = tf.tensor4d(input.slice(0, 4 * 10 * 10), [1, 4, 10, 10]);
  expected = Array.from(await (built.model.predict(tf.transpose(x, [0, 2, 3, 1])) as tf.Tensor).data());
  await built.model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      writeFileSync(join(scratch, 'model.json'), JSON.stringify({ modelTopology: artifacts.modelTopology, weightSpecs: artifacts.weightSpecs }));
      writeFileSync(join(scratch, 'weights.bin'), new Uint8Array(artifacts.weightData as ArrayBuffer));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  mkdirSync(join(scratch, 'node_modules', '@tensorflow'), { recursive: true });
  symlinkSync(packageRoot, join(scratch, 'node_modules', 'archc'));
  for (const p of ['tfjs-core', 'tfjs-layers', 'tfjs-backend-cpu']) symlinkSync(join(packageRoot, 'node_modules', '@tensorflow', p), join(scratch, 'node_modules', '@tensorflow', p));
  writeFileSync(
    join(scratch, 'plain.mjs'),
    `import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
if (process.argv[2] === 'with-runtime') await import('archc/runtime');
await tf.setBackend('cpu');
const dir = new URL(process.argv[3] ?? './', import.meta.url);
const json = JSON.parse(readFileSync(new URL('model.json', dir), 'utf8'));
const { modelTopology } = json;
const weightSpecs = json.weightSpecs ?? json.weightsManifest[0].weights;
const bytes = readFileSync(new URL('weights.bin', dir));
const weightData = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
const model = await tfl.loadLayersModel(tf.io.fromMemory({ modelTopology, weightSpecs, weightData }));
const [h, w, c] = model.inputs[0].shape.slice(1);
const x = tf.transpose(tf.tensor(${JSON.stringify(input)}.slice(0, c * h * w), [1, c, h, w]), [0, 2, 3, 1]);
console.log(JSON.stringify(Array.from(model.predict(x).dataSync())));
`,
  );
}, 120_000);

const run = (arg: string, dir?: string) => spawnSync(process.execPath, [join(scratch, 'plain.mjs'), arg, ...(dir ? [dir] : [])], { cwd: scratch, encoding: 'utf8' });

describe('a saved archc model in plain TensorFlow.js', () => {
  it("loads and predicts archc's outputs after import 'archc/runtime'", () => {
    const r = run('with-runtime');
    expect(r.status, r.stderr).toBe(0);
    const got = JSON.parse(r.stdout) as number[];
    expect(got.length).toBe(5);
    got.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 5));
  });

  it('names the unknown layer without it', () => {
    const r = run('plain');
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/Unknown layer: Archc\w+/);
  });
});

describe('a trained model of plain layers', () => {
  it('loads in TensorFlow.js without archc and predicts what archc predicts', async () => {
    const arch = join(scratch, 'plain.arch');
    writeFileSync(arch, `model plain(classes = 3) {
  input image: [3, 10, 10]
  x = image |> conv(6, 7, stride=2, pad=3, bias=false) |> bn |> relu |> maxpool(3, stride=2, pad=1)
  x = x |> conv(6, 3, stride=2, pad=1) |> relu
  output logits = x |> global_avgpool |> flatten |> dense(classes)
}
`);
    const out = join(scratch, 'trained');
    const status = await quiet(['train', arch, '--data', 'synthetic', '--samples', '12', '--epochs', '1', '-b', '6', '--backend', 'cpu', '-o', out]);
    expect(status).toBe(0);
    const topology = JSON.parse(readFileSync(join(out, 'model.json'), 'utf8')).modelTopology;
    const classes = topology.config.layers.map((l: { class_name: string }) => l.class_name);
    expect(classes.filter((c: string) => c.startsWith('Archc'))).toEqual([]);
    expect(classes.slice(1, 3)).toEqual(['ZeroPadding2D', 'Conv2D']);
    const loaded = await loadSavedModel(out);
    if (!loaded.ok) throw new Error(loaded.message);
    const x = tf.transpose(tf.tensor(input.slice(0, 300), [1, 3, 10, 10]), [0, 2, 3, 1]);
    const want = Array.from(await (loaded.value.predict(x) as tf.Tensor).data());
    const r = run('plain', `${out}/`);
    expect(r.status, r.stderr).toBe(0);
    const got = JSON.parse(r.stdout) as number[];
    expect(got.length).toBe(3);
    got.forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 5));
  }, 120_000);
});

describe('resnet18 from the zoo', () => {
  it('is saved with plain layers only: TensorFlow.js without archc loads it and predicts what archc predicts', async () => {
    const path = zooModels().find(([name]) => name === 'resnet18')![1];
    // A 32×32 input keeps it fast; even sizes are where tfjs's "same" pooling would pick other windows.
    const graph = compile(path, nodeHost, { inputs: { image: [3, 32, 32] }, params: { classes: 5 } }).graph!;
    const built = buildModel(graph, { weights: initWeights(graph, { seed: 5 }) });
    if (!built.ok) throw new Error(built.diagnostics.map((d) => d.message).join('\n'));
    const trained = built.model.layers.map((l) => l.getClassName()).filter((c) => c.startsWith('Archc'));
    expect(trained).toEqual(['ArchcConv', 'ArchcPool']); // the stem, as it trains
    const x = tf.transpose(tf.tensor(input, [1, 3, 32, 32]), [0, 2, 3, 1]);
    const want = Array.from(await (built.model.predict(x) as tf.Tensor).data());
    const dir = join(scratch, 'resnet18');
    mkdirSync(dir);
    let classes: string[] = [];
    await built.model.save(
      tf.io.withSaveHandler(async (artifacts) => {
        const modelTopology = portableTopology(artifacts.modelTopology as object) as { config: { layers: { class_name: string }[] } };
        classes = modelTopology.config.layers.map((l) => l.class_name);
        writeFileSync(join(dir, 'model.json'), JSON.stringify({ modelTopology, weightSpecs: artifacts.weightSpecs }));
        writeFileSync(join(dir, 'weights.bin'), new Uint8Array(artifacts.weightData as ArrayBuffer));
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    expect(classes.filter((c) => c.startsWith('Archc'))).toEqual([]);
    expect(classes.slice(1, 7)).toEqual(['ZeroPadding2D', 'Conv2D', 'BatchNormalization', 'Activation', 'MaxPooling2D', 'MaxPooling2D']);
    const r = run('plain', `${dir}/`);
    expect(r.status, r.stderr).toBe(0);
    const got = JSON.parse(r.stdout) as number[];
    expect(got.length).toBe(5);
    const scale = Math.max(...want.map(Math.abs));
    got.forEach((v, i) => expect(Math.abs(v - want[i]!)).toBeLessThan(1e-4 * scale));
  }, 120_000);
});

async function quiet(argv: string[]): Promise<number> {
  const so = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  const se = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    return await main(argv);
  } finally {
    so.mockRestore();
    se.mockRestore();
  }
}
