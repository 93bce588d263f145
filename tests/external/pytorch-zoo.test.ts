// Every zoo model's generated PyTorch module (archc export --format pytorch), checked with real
// PyTorch: strict load_state_dict of archc's weights (state_dict keys = archc's weight names), the
// parameter and buffer counts of `archc summary`, and outputs equal to onnxruntime's on archc's
// ONNX export with the same weights, within 1e-5 of the output's largest magnitude (or the
// tolerance the golden sidecar gives with its reason: SegNet's argmax positions are discontinuous).
//
// Models run at a reduced input size where the architecture allows it (tests/onnx/harness.ts), at
// batch 2. One Python worker (torch and onnxruntime on one thread) checks a model while Node
// prepares the next: the tests run concurrently, at most two models on disk at a time (VGG's
// 0.5 GB of weights are written twice and loaded three times over).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { zooModels } from '../../compiler/node-host.js';
import { compileReduced, parityOf } from '../onnx/harness.js';
import { Slots, prepare, TorchPool } from './pytorch-harness.js';

const TOLERANCE = 1e-5;
const dir = mkdtempSync(join(tmpdir(), 'archc-pytorch-zoo-'));
const pool = new TorchPool(1);
const slots = new Slots(2);
afterAll(() => {
  pool.close();
  rmSync(dir, { recursive: true, force: true });
});

describe.concurrent.each(zooModels())('%s', (name, path) => {
  it("matches onnxruntime on archc's ONNX export, with archc's weight names and counts", async () => {
    const release = await slots.take();
    try {
      const { graph } = compileReduced(path);
      const inputs = Object.fromEntries(graph.inputs.map((i) => [i.name, [...graph.nodes[i.node]!.shape]]));
      const prepared = prepare(name, path, graph, dir, inputs);
      const answer = await pool.check(prepared.request);
      for (const f of ['module', 'weights', 'onnx'] as const) rmSync(prepared.request[f] as string, { force: true });
      expect(answer.error, answer.trace).toBeUndefined();
      expect(answer.params).toBe(prepared.learnable);
      expect(answer.buffers).toBe(prepared.buffers);
      expect(answer.shapes).toEqual(graph.outputs.map((o) => [2, ...graph.nodes[o.node]!.shape]));
      expect(answer.shapes).toEqual(answer.expected_shapes);
      for (const d of answer.differences) expect(d).toBeLessThanOrEqual(parityOf(path).tolerance ?? TOLERANCE);
    } finally {
      release();
    }
  }, 600_000);
});
