// Every zoo model exports to ONNX that onnxruntime runs at batch 1 and 2 with the compiler's output
// shapes; every intermediate shape onnxruntime computes equals the compiler's; python3-onnx's
// checker and strict shape inference accept the file; and weights written as safetensors (or read
// from the ONNX file itself) reproduce the ONNX file byte for byte.
//
// CI keeps this fast: models run at a reduced input size where the architecture allows it, and the
// shape checks of models with more than 64 MiB of weights run on the "light" form of the export
// (weights made by ConstantOfShape: same nodes, same shapes). tools/dev/check-onnx-export.ts checks the
// real files at the declared sizes. The zoo is split in shards (zoo-1.test.ts, zoo-2.test.ts) that
// vitest runs in parallel.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeOnnx } from '../../compiler/lower-onnx/encode.js';
import { weightsFromOnnx } from '../../compiler/weights/from-onnx.js';
import { initWeights } from '../../compiler/weights/init.js';
import { concatChunks, readSafetensors, writeSafetensors } from '../../compiler/weights/safetensors.js';
import { zooModels } from '../../compiler/node-host.js';
import { intermediateMismatches, outputMismatches } from '../../tools/dev/onnx-check.js';
import { bytesOf, compileReduced, declaredDims, light, lower, OnnxChecker } from './harness.js';

const LIGHT_ABOVE = 64 * 2 ** 20;

/**
 * A test's time limit from its cost: the work grows with the model's weights (random init, encoding,
 * the safetensors round trips), about 15 s for vgg13_bn's 133 M parameters on an idle 2-core machine
 * and four times that when the whole suite shares the cores. 60 s plus 1 s per 2 M weights covers a
 * loaded machine with room to spare (vgg13_bn: 126 s) without hiding a model that hangs.
 */
function timeoutFor(path: string): number {
  const golden = path.replace(/\.arch$/, '.golden.json');
  if (!existsSync(golden)) return 60_000;
  const { params = 0, buffers = 0 } = JSON.parse(readFileSync(golden, 'utf8')) as { params?: number; buffers?: number };
  return 60_000 + Math.ceil((params + buffers) / 2e6) * 1000;
}

const sameChunks = (a: readonly Uint8Array[], b: readonly Uint8Array[]) =>
  a.length === b.length && a.every((c, i) => Buffer.compare(c, b[i]!) === 0);

/** Declares the tests of every `of`-th zoo model starting at `shard`. */
export function zooExportSuite(shard: number, of: number): void {
  const dir = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'archc-onnx-zoo-'));
  const checker = new OnnxChecker();
  afterAll(() => {
    checker.close();
    rmSync(dir, { recursive: true, force: true });
  });
  describe.each(zooModels().filter((_, i) => i % of === shard))('%s', (name, path) => {
    it("exports ONNX that onnxruntime and python3-onnx accept, with the compiler's shapes", async () => {
      const { graph } = compileReduced(path);
      const weights = initWeights(graph, { seed: 7 });
      const model = lower(graph, weights);
      const chunks = encodeOnnx(model);
      const bytes = concatChunks(chunks);
      const lightened = bytes.length > LIGHT_ABOVE ? light(model) : model;

      const file = join(dir, `${name}.onnx`);
      writeFileSync(file, lightened === model ? bytes : bytesOf(lightened));
      const checked = checker.check(file);

      expect(await outputMismatches(bytes, graph)).toEqual([]);
      expect(await intermediateMismatches(lightened, graph)).toEqual([]);
      expect(declaredDims(model, 2).size).toBe((model.graph!.valueInfo ?? []).length + graph.outputs.length);

      expect(await checked, `python3-onnx on ${lightened === model ? 'the export' : 'its light form'}`).toBe('ok');
      rmSync(file);

      const reread = readSafetensors(writeSafetensors(weights));
      if (!reread.ok) throw new Error(reread.error);
      expect(sameChunks(encodeOnnx(lower(graph, reread.weights)), chunks)).toBe(true);
      if (bytes.length > LIGHT_ABOVE) return;
      const fromOnnx = weightsFromOnnx(bytes);
      if (!fromOnnx.ok) throw new Error(fromOnnx.error);
      expect(sameChunks(encodeOnnx(lower(graph, fromOnnx.weights)), chunks)).toBe(true);
    }, timeoutFor(path));
  });
}
