// Weights holding NaN or infinite values (a diverged run, a broken conversion) are exported with a
// warning W0108 that names the tensors and counts their bad values.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../compiler/node-host.js';
import { readSafetensors, safetensorsChunks } from '../compiler/weights/safetensors.js';

const dir = mkdtempSync(join(tmpdir(), 'archc-nonfinite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

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
});
