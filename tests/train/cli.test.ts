// archc train / eval / predict end to end, in process, on the wasm backend: a small .arch model,
// real PNG folders from make-tiny-dataset, real output files in a temporary folder.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { compile } from '../../compiler/compile.js';
import { readSafetensors } from '../../compiler/weights/safetensors.js';
import { initWeights } from '../../compiler/weights/init.js';
import { nodeHost } from '../../compiler/node-host.js';
import { makeTinyDataset } from '../../tools/dev/make-tiny-dataset.js';
import { pngBytes, solid, tempDir, writeFile } from './fixtures.js';
import { archcInProcess } from '../archc-in-process.js';

const root = tempDir('archc-cli-');
const data = join(root, 'shapes');
const arch = join(root, 'small.arch');
const small = `model small(classes = 3) {
  input image: [3, 12, 12]
  x = image |> conv(4, 3, pad=1, name="conv1") |> relu |> maxpool(2)
  output logits = x |> flatten |> dense(classes, name="fc")
  expect params == 112 + 4 * 36 * 3 + 3
}
`;

beforeAll(() => {
  makeTinyDataset(data, { perClass: 12, testPerClass: 4, seed: 2 });
  writeFile(arch, small);
});

interface Run {
  status: number;
  out: string;
  err: string;
}

const archc = archcInProcess;

afterEach(() => vi.restoreAllMocks());

const trainArgs = (out: string, ...extra: string[]) => ['train', arch, '--data', join(data, 'train'), '-o', out, '--backend', 'wasm', '--epochs', '2', '-b', '8', ...extra];

describe('archc train', () => {
  const out = join(root, 'run');

  it('trains on a folder and writes the model, safetensors, metrics and curves', async () => {
    const r = await archc(...trainArgs(out, '--augment', 'flip,crop=1', '--optimizer', 'sgd', '--nesterov', '--schedule', 'cosine'));
    expect(r.err).toBe('');
    expect(r.status).toBe(0);
    expect(r.out).toContain('backend: wasm');
    expect(r.out).toContain('data: 36 images (circle 12, square 12, triangle 12), 1 unreadable skipped, resized to 12×12×3; 30 training, 6 validation');
    expect(r.out).toMatch(/epoch 2\/2 \[=+\] 4\/4 {2}loss \d\.\d{4} {2}acc \d\.\d{3} {2}\d+ img\/s {2}val_loss \d\.\d{4} {2}val_acc \d\.\d{3}/);
    expect(r.out).toContain('trained 2 epochs; saved the weights of epoch 2');
    expect(readdirSync(out).sort()).toEqual(['curves.svg', 'metrics.json', 'model.json', 'model.safetensors', 'optimizer.safetensors', 'training.json', 'weights.bin']);
    const metrics = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8'));
    expect(metrics.history.map((h: { epoch: number }) => h.epoch)).toEqual([1, 2]);
    expect(metrics.history[1].lr).toBeCloseTo(0.005);
    const training = JSON.parse(readFileSync(join(out, 'training.json'), 'utf8'));
    expect(training).toMatchObject({ model: 'small', classes: ['circle', 'square', 'triangle'], input: { name: 'image', shape: [3, 12, 12] }, epoch: 2, backend: 'wasm' });
    const weights = readSafetensors(readFileSync(join(out, 'model.safetensors')));
    expect(weights.ok && [...weights.weights.keys()].sort()).toEqual(['conv1.bias', 'conv1.weight', 'fc.bias', 'fc.weight']);
    expect(weights.ok && weights.weights.get('conv1.weight')!.shape).toEqual([4, 3, 3, 3]);
    expect(readFileSync(join(out, 'curves.svg'), 'utf8')).toMatch(/^<svg[^]*<\/svg>\n$/);
  });

  it('evaluates a saved model: accuracy, per-class table, confusion matrix, JSON', async () => {
    const r = await archc('eval', out, '--data', join(data, 'test'), '--backend', 'wasm');
    expect(r.status).toBe(0);
    expect(r.out).toMatch(/12 images from .*test\naccuracy \d\.\d{3} \(\d+ of 12\)/);
    expect(r.out).toContain('confusion matrix (rows: true class, columns: predicted class)');
    const j = await archc('eval', out, '--data', join(data, 'test'), '--backend', 'wasm', '--json');
    const result = JSON.parse(j.out);
    expect(result.count).toBe(12);
    expect(result.confusion.flat().reduce((a: number, b: number) => a + b, 0)).toBe(12);
    expect(result.perClass.map((c: { name: string }) => c.name)).toEqual(['circle', 'square', 'triangle']);
  });

  it('predicts the top-k classes, skipping an unreadable image with exit 1', async () => {
    const image = join(data, 'test', 'square', 'square-000.png');
    const r = await archc('predict', out, image, '-k', '2', '--backend', 'wasm');
    expect(r.status).toBe(0);
    const lines = r.out.trim().split('\n');
    expect(lines[0]).toBe(image);
    expect(lines.slice(1)).toHaveLength(2);
    for (const l of lines.slice(1)) expect(l).toMatch(/^ {1,3}\d{1,3}\.\d% {2}(circle|square|triangle)$/);
    const j = await archc('predict', out, image, join(root, 'missing.png'), '--json', '--backend', 'wasm');
    expect(j.status).toBe(1);
    expect(j.err).toContain(`skipped ${join(root, 'missing.png')}: no such file`);
    const [p] = JSON.parse(j.out);
    expect(p.top).toHaveLength(3);
    expect(p.top.reduce((a: number, t: { probability: number }) => a + t.probability, 0)).toBeCloseTo(1, 5);
  });

  it('predicts and evaluates with other weights (--weights), matched by name strictly', async () => {
    const image = join(data, 'test', 'square', 'square-000.png');
    const own = await archc('predict', out, image, '--json', '--backend', 'wasm');
    // The folder's own weights give the same answer; zeros give every class the same score.
    const same = await archc('predict', out, image, '--json', '--backend', 'wasm', '--weights', join(out, 'model.safetensors'));
    expect(same.status).toBe(0);
    const [a, b] = [JSON.parse(same.out)[0].top[0], JSON.parse(own.out)[0].top[0]];
    expect(a.class).toBe(b.class);
    expect(a.probability).toBeCloseTo(b.probability, 5);
    const zeros = join(root, 'zeros.safetensors');
    expect(await archc('export', arch, '--format', 'safetensors', '--weights', 'zeros', '-o', zeros).then((r) => r.status)).toBe(0);
    for (const engine of ['tfjs', 'onnxruntime']) {
      const z = await archc('predict', out, image, '--json', '--engine', engine, '--weights', zeros, ...(engine === 'tfjs' ? ['--backend', 'wasm'] : []));
      expect(z.status, engine).toBe(0);
      for (const t of JSON.parse(z.out)[0].top) expect(t.probability, engine).toBeCloseTo(1 / 3, 5);
    }
    const e = await archc('eval', out, '--data', join(data, 'test'), '--backend', 'wasm', '--weights', zeros);
    expect(e.status).toBe(0);
    // A file whose names do not match is refused, naming them.
    const lenet = join(root, 'other.safetensors');
    expect(await archc('export', 'lenet5', '--format', 'safetensors', '-o', lenet).then((r) => r.status)).toBe(0);
    const bad = await archc('predict', out, image, '--backend', 'wasm', '--weights', lenet);
    expect(bad.status).not.toBe(0);
    expect(bad.err).toMatch(/archc predict: .*(missing|unexpected|not in)/);
  });

  it('resumes from its checkpoint up to --epochs, keeping the history', async () => {
    const again = await archc(...trainArgs(out, '--optimizer', 'sgd', '--nesterov', '--schedule', 'cosine'));
    expect(again.status).toBe(1);
    expect(again.err).toContain(`archc train: ${out} already holds a trained model`);
    const r = await archc(...trainArgs(out, '--resume', out, '--epochs', '3'));
    expect(r.status).toBe(0);
    expect(r.out).toContain(`resuming from ${out} after epoch 2`);
    expect(r.out).not.toContain('epoch 1/3');
    expect(r.out).toContain('epoch 3/3');
    const metrics = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8'));
    expect(metrics.history.map((h: { epoch: number }) => h.epoch)).toEqual([1, 2, 3]);
    const done = await archc(...trainArgs(out, '--resume', out, '--epochs', '3'));
    expect(done.err).toContain('is already trained for 3 epochs');
  });

  it('stops on a NaN loss and keeps the last good checkpoint', async () => {
    const r = await archc(...trainArgs(out, '--resume', out, '--epochs', '5', '--optimizer', 'sgd', '--lr', '1e6', '--loss', 'mse'));
    expect(r.status).toBe(1);
    expect(r.err).toMatch(/the loss became NaN or infinite in epoch 4, step \d+ \(learning rate 1000000\); training stopped and the checkpoint of epoch 3 in .* is kept/);
    expect(JSON.parse(readFileSync(join(out, 'training.json'), 'utf8')).epoch).toBe(3);
    expect(readdirSync(out).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('freezes a block by name: its weights stay at their initial values', async () => {
    const frozen = join(root, 'frozen');
    const r = await archc(...trainArgs(frozen, '--freeze', 'conv1', '--seed', '4'));
    expect(r.status).toBe(0);
    expect(r.out).toContain('frozen: conv1 (1 layer, 112 parameters)');
    const graph = compile(arch, nodeHost).graph!;
    const initial = initWeights(graph, { seed: 4 });
    const saved = readSafetensors(readFileSync(join(frozen, 'model.safetensors')));
    if (!saved.ok) throw new Error(saved.error);
    expect([...saved.weights.get('conv1.weight')!.data]).toEqual([...initial.get('conv1.weight')!.data]);
    expect([...saved.weights.get('fc.weight')!.data]).not.toEqual([...initial.get('fc.weight')!.data]);
  });

  it('fine-tunes from trained weights with a new head and a frozen backbone (--weights, --freeze)', async () => {
    const tuned = join(root, 'tuned');
    const r = await archc('train', arch, '--set', 'classes=2', '--data', 'synthetic', '--samples', '16', '-o', tuned, '--backend', 'wasm', '--epochs', '1',
      '--weights', out, '--freeze', 'conv1', '--init-missing', 'fc.*');
    expect(r.status).toBe(0);
    expect(r.out).toContain(`weights: 2 of 4 tensors from ${join(out, 'model.safetensors')}; initialized afresh (--init-missing): fc.weight, fc.bias`);
    const before = readSafetensors(readFileSync(join(out, 'model.safetensors')));
    const after = readSafetensors(readFileSync(join(tuned, 'model.safetensors')));
    if (!before.ok || !after.ok) throw new Error('safetensors');
    expect(after.weights.get('conv1.weight')!.data).toEqual(before.weights.get('conv1.weight')!.data);
    expect(after.weights.get('fc.weight')!.shape).toEqual([2, 144]);
    const wrong = await archc('train', arch, '--data', 'synthetic', '-o', join(root, 'x0'), '--backend', 'wasm', '--weights', join(root, 'small.arch'));
    expect(wrong.err).toMatch(/archc train: .*small\.arch: the header/);
  });

  it('trains on synthetic images with a model compiled for other classes (--set)', async () => {
    const r = await archc('train', arch, '--set', 'classes=2', '--data', 'synthetic', '--samples', '24', '-o', join(root, 'synthetic'), '--backend', 'wasm', '--epochs', '1', '--val', '0.25');
    expect(r.status).toBe(0);
    expect(r.err).toBe('');
    expect(r.out).toContain('note: 1 expect line of small describes its default configuration, not this one (archc check shows them)');
    expect(r.out).toContain('data: 24 images (class0 12, class1 12), resized to 12×12×3; 18 training, 6 validation');
    const e = await archc('eval', join(root, 'synthetic'), '--data', 'synthetic', '--samples', '10', '--backend', 'wasm');
    expect(e.out).toContain('10 images from synthetic');
  });
});

describe('binary classification', () => {
  it('trains a one-unit model on two class folders with binary cross-entropy and balanced weights', async () => {
    const binary = join(root, 'binary.arch');
    writeFile(binary, 'model binary {\n  input image: [1, 8, 8]\n  output score = image |> conv(2, 3) |> relu |> flatten |> dense(1)\n}\n');
    const two = join(root, 'two');
    for (let i = 0; i < 6; i++) writeFile(join(two, 'dark', `${i}.png`), pngBytes(8, 8, solid(20 + i, 20, 20)));
    for (let i = 0; i < 3; i++) writeFile(join(two, 'light', `${i}.jpg`), pngBytes(8, 8, solid(230, 230 - i, 230)));
    const dir = join(root, 'binary-model');
    const r = await archc('train', binary, '--data', two, '-o', dir, '--backend', 'wasm', '--epochs', '3', '--class-weights', 'balanced', '--val', '0');
    expect(r.status).toBe(0);
    const training = JSON.parse(readFileSync(join(dir, 'training.json'), 'utf8'));
    expect(training.loss).toEqual({ kind: 'bce', smoothing: 0, classWeights: [0.75, 1.5] });
    const p = await archc('predict', dir, join(two, 'light', '0.jpg'), '--json', '--backend', 'wasm');
    const [result] = JSON.parse(p.out);
    expect(result.top.map((t: { class: string }) => t.class).sort()).toEqual(['dark', 'light']);
    const e = await archc('eval', dir, '--data', two, '--json', '--backend', 'wasm');
    expect(JSON.parse(e.out).count).toBe(9);
    const ce = await archc('train', binary, '--data', two, '-o', join(root, 'x6'), '--backend', 'wasm', '--loss', 'ce');
    expect(ce.err).toContain('archc train: cross-entropy needs one output per class; this model has one output unit\n  hint: use --loss bce');
    const weights = await archc('train', binary, '--data', two, '-o', join(root, 'x6'), '--backend', 'wasm', '--class-weights', '1,2,3');
    expect(weights.err).toContain('archc train: --class-weights gives 3 weights for 2 classes');
  });
});

describe('archc train stops with a clear message', () => {
  it('on an empty class folder', async () => {
    writeFile(join(root, 'empty', 'a', '1.png'), pngBytes(4, 4, solid(1, 2, 3)));
    writeFile(join(root, 'empty', 'b', 'notes.txt'), 'x');
    const r = await archc('train', arch, '--set', 'classes=2', '--data', join(root, 'empty'), '-o', join(root, 'x1'), '--backend', 'wasm');
    expect(r.status).toBe(1);
    expect(r.err).toContain(`archc train: the class folder ${join(root, 'empty', 'b')} has no PNG or JPEG images\n  hint: add images to it or remove the folder`);
    expect(existsSync(join(root, 'x1'))).toBe(false);
  });

  it('when the data has another number of classes than the model outputs', async () => {
    const r = await archc('train', arch, '--set', 'classes=5', '--data', join(data, 'train'), '-o', join(root, 'x2'), '--backend', 'wasm');
    expect(r.err).toContain('archc train: the data has 3 classes but small outputs 5 scores\n  hint: compile the model for 3 classes, e.g. --set classes=3');
  });

  it('when the model is not an image classifier', async () => {
    const vector = join(root, 'vector.arch');
    writeFile(vector, 'model vec {\n  input v: [16]\n  output y = v |> dense(3)\n}\n');
    const r = await archc('train', vector, '--data', join(data, 'train'), '-o', join(root, 'x3'), '--backend', 'wasm');
    expect(r.err).toContain("archc train: vec's input v is [16]; image training needs [1, H, W] or [3, H, W]");
  });

  it('when a frozen name matches nothing, listing the names there are', async () => {
    const r = await archc(...trainArgs(join(root, 'x4'), '--freeze', 'conv9'));
    expect(r.err).toContain('archc train: --freeze conv9: no layer or block of small is called that\n  hint: names: conv1, relu1, maxpool1, flatten1, fc');
  });

  it('on flags out of range, as usage errors (exit 2)', async () => {
    for (const [flag, value, message] of [
      ['--lr', '0', '--lr needs a number > 0'],
      ['--epochs', '1.5', '--epochs needs a whole number ≥ 1'],
      ['--augment', 'flip,spin=3', "--augment: unknown augmentation 'spin'"],
      ['--schedule', 'linear', '--schedule must be one of constant, step, cosine, plateau'],
      ['--class-weights', '1,x', "--class-weights needs 'balanced' or non-negative numbers"],
    ] as const) {
      const r = await archc(...trainArgs(join(root, 'x5'), flag, value));
      expect(r.status, flag).toBe(2);
      expect(r.err, flag).toContain(message);
    }
    const nesterov = await archc(...trainArgs(join(root, 'x5'), '--nesterov'));
    expect(nesterov.err).toContain('--nesterov needs --optimizer sgd with momentum > 0');
  });

  it('when the data folder does not exist, as an I/O problem (exit 2)', async () => {
    const missing = join(root, 'no-such-data');
    const r = await archc('train', arch, '--data', missing, '-o', join(root, 'x7'), '--backend', 'wasm');
    expect(r.status).toBe(2);
    expect(r.err).toContain(`archc train: the data folder ${missing} does not exist`);
  });

  it('when the output folder cannot be written', async () => {
    const blocked = join(data, 'test', 'circle', 'circle-000.png', 'out');
    const r = await archc(...trainArgs(blocked));
    expect(r.status).toBe(2); // an I/O problem, as every command reports them
    expect(r.err).toContain(`archc train: cannot write to ${blocked}: ${join(data, 'test', 'circle', 'circle-000.png')} is a file, not a folder`);
    // Under /proc, Node's recursive mkdir never returns: refused before any data is read.
    const kernel = await archc(...trainArgs('/proc/self/archc-x/out'));
    expect(kernel.status).toBe(2);
    expect(kernel.err).toContain('archc train: cannot write to /proc/self/archc-x/out: /proc/self is part of a kernel file system');
  });

  it('reports a folder that is not a trained model to eval and predict (exit 2)', async () => {
    const r = await archc('eval', root, '--data', join(data, 'test'));
    expect(r.status).toBe(2);
    expect(r.err).toContain(`archc eval: ${root} is not a trained archc model (no training.json)`);
    const p = await archc('predict', root, join(data, 'test', 'circle', 'circle-000.png'));
    expect(p.status).toBe(2);
  });
});
