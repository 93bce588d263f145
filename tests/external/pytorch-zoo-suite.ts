// Every zoo model's generated PyTorch module (archc export --format pytorch), checked with real
// PyTorch: strict load_state_dict of archc's weights (state_dict keys = archc's weight names), the
// parameter and buffer counts of `archc summary`, and outputs equal to onnxruntime's on archc's
// ONNX export with the same weights, within 1e-5 of the output's largest magnitude.
//
// Models run at a reduced input size where the architecture allows it (tests/onnx/harness.ts),
// batch 2, in one Python worker per shard; the shards (pytorch-zoo-1/2.test.ts) run in parallel.
import { mkdtempSync, rmSync } from 'node:fs';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { zooModels } from '../../compiler/node-host.js';
import { compileReduced } from '../onnx/harness.js';
import { prepare, TorchWorker } from './pytorch-harness.js';

const TOLERANCE = 1e-5;

export function pytorchZooSuite(shard: number, of: number): void {
  const dir = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'archc-pytorch-zoo-'));
  const worker = new TorchWorker();
  afterAll(() => {
    worker.close();
    rmSync(dir, { recursive: true, force: true });
  });
  describe.each(zooModels().filter((_, i) => i % of === shard))('%s', (name, path) => {
    it("matches onnxruntime on archc's ONNX export, with archc's weight names and counts", async () => {
      const { graph } = compileReduced(path);
      const inputs = Object.fromEntries(graph.inputs.map((i) => [i.name, [...graph.nodes[i.node]!.shape]]));
      const prepared = prepare(name, path, graph, dir, inputs);
      const answer = await worker.check(prepared.request);
      for (const f of ['module', 'weights', 'onnx'] as const) rmSync(prepared.request[f] as string, { force: true });
      expect(answer.error, answer.trace).toBeUndefined();
      expect(answer.params).toBe(prepared.learnable);
      expect(answer.buffers).toBe(prepared.buffers);
      expect(answer.shapes).toEqual(graph.outputs.map((o) => [2, ...graph.nodes[o.node]!.shape]));
      expect(answer.shapes).toEqual(answer.expected_shapes);
      for (const d of answer.differences) expect(d).toBeLessThanOrEqual(TOLERANCE);
    }, 240_000);
  });
}
