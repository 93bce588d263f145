// Zoo-wide: every model under zoo/ compiles, and its numbers equal its golden sidecar
// (<model>.golden.json next to the .arch file), which names the source of each figure.
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compile } from '../compiler/compile.js';
import type { ModelReport } from '../compiler/report.js';
import { nodeHost, zooModels } from '../compiler/node-host.js';

interface Golden {
  readonly model: string;
  readonly convention: string;
  readonly inputs: Readonly<Record<string, number[]>>;
  readonly outputs: Readonly<Record<string, number[]>>;
  /** Learnable parameters (torchvision's num_params; Keras's trainable when nothing is frozen). */
  readonly params: number;
  /** Batch-norm running statistics. */
  readonly buffers: number;
  readonly macs?: number;
  /** torchvision's "GFLOPS" (giga-MACs, 2 decimals): `macs` must round to it. */
  readonly publishedGMacs?: number;
  /** Keras's model.summary() figures, when the model follows Keras. */
  readonly keras?: { readonly total: number; readonly trainable: number; readonly nonTrainable: number };
  /**
   * Per-stage output shapes, keyed by a layer name of the report or by a scope (a block call's
   * name): a scope stands for its last layer. `stages` is accepted as another name for it.
   */
  readonly shapes?: Readonly<Record<string, number[]>>;
  readonly stages?: Readonly<Record<string, number[]>>;
  /** Warning codes the model is known to raise; any other warning fails. */
  readonly warnings?: readonly string[];
  readonly sources: Readonly<Record<string, string>>;
}

const perSample = (shape: readonly (number | 'N')[]): number[] => shape.slice(1) as number[];

/** The output shape of a layer, or of the last layer inside a scope. */
function shapeAt(report: ModelReport, key: string): number[] | undefined {
  const exact = report.layers.find((l) => l.name === key);
  const layer = exact ?? report.layers.findLast((l) => l.name.startsWith(`${key}.`));
  return layer ? perSample(layer.outputShape) : undefined;
}

const models = zooModels();

describe('the zoo', () => {
  it('has models, and every model name is unique', () => {
    expect(models.length).toBeGreaterThan(0);
    const names = models.map(([name]) => name);
    expect(new Set(names).size).toBe(names.length);
  });
});

describe.each(models)('%s', (name, path) => {
  const goldenPath = path.replace(/\.arch$/, '.golden.json');
  const golden: Golden | undefined = existsSync(goldenPath)
    ? JSON.parse(readFileSync(goldenPath, 'utf8'))
    : undefined;
  const result = compile(path, nodeHost);
  const report = result.report;

  it('has a golden sidecar that names its sources', () => {
    expect(golden, `missing ${goldenPath}`).toBeDefined();
    const g = golden!;
    expect(g.model).toBe(name);
    expect(g.convention.length).toBeGreaterThan(0);
    const needed = ['params', ...(g.macs !== undefined ? ['macs'] : []), ...(g.buffers > 0 ? ['buffers'] : [])];
    const missing = needed.filter((key) => !/\S/.test(g.sources[key] ?? ''));
    expect(missing, `figures without a source in ${goldenPath}`).toEqual([]);
  });

  it('compiles without errors, and warns only as its golden says', () => {
    const errors = result.diagnostics
      .filter((d) => d.severity === 'error')
      .map((d) => `${d.span.file}:${d.span.start.line}: ${d.code} ${d.message}`);
    expect(errors).toEqual([]);
    const warnings = result.diagnostics.filter((d) => d.severity === 'warning').map((d) => d.code).sort();
    expect(warnings).toEqual([...(golden?.warnings ?? [])].sort());
  });

  it('has the golden parameters, buffers and MACs', () => {
    expect(report).toBeDefined();
    const g = golden!;
    expect(report!.params.learnable).toBe(g.params);
    expect(report!.params.buffers).toBe(g.buffers);
    if (g.macs !== undefined) expect(report!.macs).toBe(g.macs);
    if (g.publishedGMacs !== undefined) expect(Math.round(report!.macs / 1e7) / 100).toBe(g.publishedGMacs);
    if (g.keras) {
      expect(report!.params.learnable + report!.params.buffers).toBe(g.keras.total);
      expect(report!.params.trainable).toBe(g.keras.trainable);
      expect(report!.params.frozen + report!.params.buffers).toBe(g.keras.nonTrainable);
    }
  });

  it('has the golden input, output and stage shapes', () => {
    expect(report).toBeDefined();
    const g = golden!;
    const io = (list: ModelReport['inputs']) => Object.fromEntries(list.map((t) => [t.name, perSample(t.shape)]));
    expect(io(report!.inputs)).toEqual(g.inputs);
    expect(io(report!.outputs)).toEqual(g.outputs);
    const stages = { ...g.stages, ...g.shapes };
    const got = Object.fromEntries(Object.keys(stages).map((key) => [key, shapeAt(report!, key)]));
    expect(got).toEqual(stages);
  });
});
