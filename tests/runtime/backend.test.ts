// Backend choice: the active backend is always reported, `auto` takes webgpu only on a hardware
// adapter, a backend that fails to start is reported as a fallback, and webgpu (on whatever adapter
// this machine has, Mesa's software one included) computes what wasm computes.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initWeights } from '../../compiler/weights/init.js';
import { activate } from '../../runtime/backend.js';
import { workerScript } from '../../runtime/wasm/node-threads.js';
import { describeBackend, setBackend } from '../../runtime/index.js';
import { compileText, net } from '../helpers.js';
import { build, difference, inputsFor, predictNchw } from './harness.js';

afterAll(async () => {
  await setBackend('wasm');
});

describe('setBackend', () => {
  it.each(['cpu', 'wasm'] as const)('%s is active when asked for', async (name) => {
    const report = await setBackend(name);
    expect(report).toMatchObject({ requested: name, active: name, fellBack: false });
    expect(tf.getBackend()).toBe(name);
    expect(describeBackend(report)).toBe(name);
  });

  it('wasm runs XNNPACK on every core in Node (tfjs leaves its threaded build off there)', async () => {
    const report = await setBackend('wasm');
    const threads = Math.min(availableParallelism(), 8);
    expect(report.notes).toContain(`wasm: XNNPACK on ${threads} thread${threads === 1 ? '' : 's'}`);
  });

  it("writes the threads' worker script once, and never runs a changed copy from the shared temp folder", () => {
    const script = `// archc test ${process.pid} ${Date.now()}\n`;
    const first = workerScript(script);
    expect(workerScript(script)).toBe(first);
    writeFileSync(first, 'throw new Error("not archc")\n');
    const second = workerScript(script);
    expect(second).not.toBe(first);
    expect(readFileSync(second, 'utf8')).toBe(script);
    rmSync(first);
    rmSync(dirname(second), { recursive: true });
  });

  it('auto takes webgpu only on a hardware adapter, else wasm, and says why', async () => {
    const report = await setBackend('auto');
    const adapter = report.adapter!;
    expect(report.active).toBe(adapter.available && adapter.hardware ? 'webgpu' : 'wasm');
    expect(report.fellBack).toBe(false);
    expect(report.notes.some((n) => n.startsWith('auto: '))).toBe(true);
    expect(report.notes[0]).toMatch(/^webgpu: /);
  });

  it('reports a backend that fails to start instead of running elsewhere quietly', async () => {
    await setBackend('wasm');
    tf.registerBackend('archc-broken-test', () => {
      throw new Error('no device');
    });
    const result = await activate('archc-broken-test');
    expect(result).toMatchObject({ active: 'wasm', fellBack: true });
    expect(result.note).toMatch(/archc-broken-test is not available \(it failed to start.*\); tfjs is running on wasm/);
    tf.removeBackend('archc-broken-test');
    expect((await activate('archc-not-registered')).note).toMatch(/not registered/);
  });
});

describe('webgpu', () => {
  it('computes what wasm computes, or is reported unavailable', async () => {
    const graph = compileText(net('[3, 12, 12]', 'x |> conv(8, 3, pad=1) |> bn |> relu |> maxpool(2) |> dwconv(3, pad=1) |> global_avgpool |> flatten |> dense(5)')).graph!;
    const weights = initWeights(graph, { seed: 4 });
    const inputs = inputsFor(graph, 2);
    await setBackend('wasm');
    const onWasm = build(graph, weights);
    const wasm = await predictNchw(onWasm.model, onWasm.metadata, inputs);
    const report = await setBackend('webgpu');
    if (!report.adapter?.available) {
      expect(report.fellBack).toBe(true);
      expect(report.notes.join(' ')).toMatch(/webgpu/);
      return;
    }
    expect(report.active).toBe('webgpu');
    const { model, metadata } = build(graph, weights);
    const gpu = await predictNchw(model, metadata, inputs);
    const { max, scale } = difference(gpu['y']!, wasm['y']!);
    expect(max).toBeLessThanOrEqual(1e-4 * Math.max(1, scale));
  }, 120_000);
});
