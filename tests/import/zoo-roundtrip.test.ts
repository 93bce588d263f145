// Every zoo model through archc's own export and back: export → import → export computes the same
// function. Each model is compiled at a reduced input size (as the ONNX zoo suite does), exported
// with seeded weights, imported, compiled again and exported with the imported weights; both files
// run in onnxruntime-node on the same input. The models whose exports use ONNX forms the importer
// cannot read back yet are listed in NOT_YET with the reason, so that the list can only shrink.
// CI runs the models up to 15 M weights and the larger ones whose exports hold forms no smaller
// model has (WIDER_FORMS); ARCHC_ZOO_ROUNDTRIP=all runs every model (all 90 pass: 3 minutes wall
// on the project's 2-core machine at load 4, 10 at load 10).
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compile } from '../../compiler/compile.js';
import { memoryHost } from '../../compiler/memory-host.js';
import { stdLibrary, zooModels } from '../../compiler/node-host.js';
import { initWeights } from '../../compiler/weights/init.js';
import { importOnnx } from '../../import/index.js';
import { bytesOf, compileReduced, lower, runRandom, session } from '../onnx/harness.js';

/** Zoo models the importer does not read back yet, and why (ONNX forms of archc's own lowerings). */
const NOT_YET: Record<string, string> = {};

const MAX_WEIGHTS = 15_000_000;

/**
 * Larger models run in CI for the ONNX forms only their exports have (14 s together): a param
 * expanded to the batch (ConvNeXt's layer scale), Swin's shift mask (constants and comparisons of
 * tensors) and relative-position table, MaxViT's stored index, SegNet's MaxPool indices → MaxUnpool.
 */
const WIDER_FORMS = new Set(['convnext_tiny', 'swin_t', 'maxvit_t', 'segnet']);

function weightsOf(path: string): number {
  const golden = path.replace(/\.arch$/, '.golden.json');
  if (!existsSync(golden)) return 0;
  const { params = 0, buffers = 0 } = JSON.parse(readFileSync(golden, 'utf8')) as { params?: number; buffers?: number };
  return params + buffers;
}

const models = zooModels().filter(([name, path]) => process.env['ARCHC_ZOO_ROUNDTRIP'] === 'all' || weightsOf(path) <= MAX_WEIGHTS || WIDER_FORMS.has(name));

describe.each(models)('%s', (name, path) => {
  it('export → import → export gives the same outputs', async () => {
    const { graph, result } = compileReduced(path);
    const first = bytesOf(lower(graph, initWeights(graph, { seed: 3 })));
    // The size the model was compiled at (an export with symbolic sizes needs it to be imported).
    const inputShapes = Object.fromEntries(graph.inputs.map((i) => [i.name, graph.nodes[i.node]!.shape as number[]]));
    // With the std library, as `archc import` runs: blocks equal to std blocks come back as their calls.
    const imported = importOnnx(first, { sourceName: `${name}.onnx`, inputShapes, library: stdLibrary() });
    if (!imported.ok) {
      const why = imported.problems.map((p) => p.message).join('; ');
      if (NOT_YET[name]) return void expect(why).toMatch(NOT_YET[name]!);
      throw new Error(why);
    }
    expect(NOT_YET[name], `${name} imports now: remove it from NOT_YET`).toBeUndefined();
    const again = compile(`${name}.arch`, memoryHost({ [`${name}.arch`]: imported.text, ...stdLibrary() }));
    expect(again.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    // Learned weights come back learnable and fixed values (constants, buffers) do not.
    expect(again.report!.params.learnable, 'learnable parameters').toBe(result.report!.params.learnable);
    const second = bytesOf(lower(again.graph!, imported.weights));
    const [a, b] = [await session(first), await session(second)];
    const [ya, yb] = [await runRandom(a, graph, 2), await runRandom(b, again.graph!, 2)];
    const [outA, outB] = [Object.values(ya), Object.values(yb)];
    expect(outB.length).toBe(outA.length);
    outA.forEach((t, k) => {
      const [p, q] = [t.data as Float32Array, outB[k]!.data as Float32Array];
      expect(q.length).toBe(p.length);
      let diff = 0;
      for (let i = 0; i < p.length; i++) diff = Math.max(diff, Math.abs(p[i]! - q[i]!));
      expect(diff, `${name} output ${k}`).toBeLessThanOrEqual(1e-5);
    });
  }, 60_000 + Math.ceil(weightsOf(path) / 2e6) * 1000); // the work grows with the weights
});

it('the larger models run for their forms are zoo models', () => {
  const names = new Set(zooModels().map(([name]) => name));
  expect([...WIDER_FORMS].filter((n) => !names.has(n))).toEqual([]);
});
