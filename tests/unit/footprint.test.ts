// Weights are sized before anything allocates them: a model whose weights cannot be held is E0803
// (export, train, predict refuse it), and `check` warns (W0109) above what an ONNX file holds.
import { describe, expect, it } from 'vitest';
import { compile } from '../../compiler/compile.js';
import { memoryHost } from '../../compiler/memory-host.js';
import { materializeProblem } from '../../compiler/weights/footprint.js';

const model = (width: number, units: number) => compile('/m.arch', memoryHost({ '/m.arch': `model m() {\n  input x: [${width}]\n  output y = x |> dense(${units}, name="fc")\n}\n` }));

describe('weight footprint', () => {
  it('refuses to materialize a tensor of 10^12 values, naming it', () => {
    const r = model(1_000_000, 1_000_000);
    const problem = materializeProblem(r.graph!);
    expect(problem?.code).toBe('E0803');
    expect(problem?.message).toBe("the weights take 3725.3 GiB as float32 and cannot be materialized: 'fc.weight' alone holds more than 1,073,741,824 values");
    expect(problem?.notes).toEqual(['the largest tensors:', 'fc.weight [1000000, 1000000]: 3725.3 GiB', 'fc.bias [1000000]: 3.8 MiB']);
    expect(r.diagnostics.map((d) => d.code)).toEqual(['W0109']);
  });

  it('accepts a model that fits, without a warning', () => {
    const r = model(1000, 1000);
    expect(materializeProblem(r.graph!)).toBeUndefined();
    expect(r.diagnostics).toEqual([]);
  });
});
