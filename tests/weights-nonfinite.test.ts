// Weights holding NaN or infinite values (a diverged run, a broken conversion) are exported with a
// warning W0108 that names the tensors and counts their bad values; predict and eval, whose every
// answer would be NaN, refuse them with the same words, on both engines.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../compiler/node-host.js';
import { readSafetensors, safetensorsChunks } from '../compiler/weights/safetensors.js';
import { PNG } from 'pngjs';
import { digestOf } from '../runtime/persist/checkpoint-manifest.js';

const dir = mkdtempSync(join(tmpdir(), 'archc-nonfinite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Writes a changed file into a run folder and records it in training.json's list, as a run that diverged would. */
function replaceInRun(run: string, name: string, bytes: Uint8Array): void {
  writeFileSync(join(dir, run, name), bytes);
  const info = JSON.parse(readFileSync(join(dir, run, 'training.json'), 'utf8'));
  info.checkpoint[name] = digestOf(bytes);
  writeFileSync(join(dir, run, 'training.json'), JSON.stringify(info));
}

const archc = (...args: string[]) =>
  spawnSync(process.execPath, [join(packageRoot, 'bin', 'archc.js'), ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });

describe('non-finite weights', () => {
  it('warns with W0108 naming each tensor and how many values are not finite', () => {
    writeFileSync(join(dir, 'net.arch'), 'model net() {\n  input x: [4]\n  output y = x |> dense(3, name="fc")\n}\n');
    expect(archc('export', 'net.arch', '--format', 'safetensors', '-o', 'w.safetensors').status).toBe(0);
    const read = readSafetensors(readFileSync(join(dir, 'w.safetensors')));
    if (!read.ok) throw new Error(read.error);
    read.weights.get('fc.weight')!.data.set([NaN, Infinity], 0);
    writeFileSync(join(dir, 'bad.safetensors'), Buffer.concat(safetensorsChunks(read.weights, {})));
    const r = archc('export', 'net.arch', '--weights', 'bad.safetensors', '-o', 'net.onnx');
    expect(r.status).toBe(0);
    expect(r.stderr).toContain("warning W0108: bad.safetensors holds NaN or infinite values: 'fc.weight' (2 of 12 values)");
    expect(r.stderr).not.toContain('fc.bias');
  });

  it('is an error for predict and eval, naming the tensors, on tfjs (weights.bin) and onnxruntime (model.safetensors)', () => {
    writeFileSync(join(dir, 'tiny.arch'), 'model tiny {\n  input image: [3, 8, 8]\n  output logits = image |> conv(2, 3, name="conv") |> global_avgpool |> flatten |> dense(2, name="fc")\n}\n');
    const trained = archc('train', 'tiny.arch', '--data', 'synthetic', '--samples', '16', '--epochs', '1', '-o', 'run', '--backend', 'wasm');
    expect(trained.stderr).toBe('');
    const png = new PNG({ width: 8, height: 8 });
    png.data.fill(128);
    writeFileSync(join(dir, 'x.png'), PNG.sync.write(png));
    // tfjs reads weights.bin: a NaN as its first float (the first kernel's first value).
    cpSync(join(dir, 'run'), join(dir, 'nan-tfjs'), { recursive: true });
    const bin = readFileSync(join(dir, 'nan-tfjs', 'weights.bin'));
    bin.writeFloatLE(NaN, 0);
    replaceInRun('nan-tfjs', 'weights.bin', bin);
    for (const args of [['predict', 'nan-tfjs', 'x.png'], ['eval', 'nan-tfjs', '--data', 'synthetic', '--samples', '4']]) {
      const r = archc(...args, '--backend', 'wasm');
      expect(r.status, args[0]).toBe(1);
      expect(r.stderr).toMatch(/archc \w+: nan-tfjs\/weights\.bin holds NaN or infinite values: 'conv\/kernel' \(1 of 54 values\)/);
    }
    // onnxruntime reads model.safetensors by IR name.
    cpSync(join(dir, 'run'), join(dir, 'inf-ort'), { recursive: true });
    const read = readSafetensors(readFileSync(join(dir, 'inf-ort', 'model.safetensors')));
    if (!read.ok) throw new Error(read.error);
    read.weights.get('fc.bias')!.data.set([Infinity], 0);
    replaceInRun('inf-ort', 'model.safetensors', Buffer.concat(safetensorsChunks(read.weights, {})));
    const r = archc('predict', 'inf-ort', 'x.png', '--engine', 'onnxruntime');
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("holds NaN or infinite values: 'fc.bias' (1 of 2 values)");
    expect(r.stderr).not.toMatch(/internal error|\n {4}at /);
  }, 120_000);
});
