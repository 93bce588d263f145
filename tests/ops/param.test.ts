import { describe, expect, it } from 'vitest';
import { compileOk } from './table.js';
import { compileText, net } from '../helpers.js';
import { declaredWeights } from '../../compiler/weights/tensor.js';

describe('param and buffer', () => {
  it.each([
    ['[4, 5, 5]', 'x * param([4, 1, 1])', [4, 5, 5]],
    ['[4, 5, 5]', 'x + param(5)', [4, 5, 5]],
    ['[6, 8]', 'x + buffer([6, 8], init="ones")', [6, 8]],
    ['[4, 5, 5]', 'x * param([4, 0, 1])', 'E0305'],
    ['[4, 5, 5]', 'x * param([4, 1, 1], init="normal")', 'E0305'],
    ['[4, 5, 5]', 'x * param([4, 1, 1], init="xavier")', 'E0203'],
    ['[4, 5, 5]', 'x * param([3, 1, 1])', 'E0302'],
    ['[4, 5, 5]', 'x |> param([4, 1, 1])', 'E0202'],
  ])('%s: %s → %j', (shape, body, expected) => {
    const r = compileText(net(shape, body));
    const error = r.diagnostics.find((d) => d.severity === 'error');
    expect(error ? error.code : r.report!.outputs[0]!.shape.slice(1)).toEqual(expected);
  });

  it('counts a param as learnable and a buffer as a buffer, named like a bare torch parameter', () => {
    const r = compileOk('model t {\n  input x: [96, 7, 7]\n  s = param([96, 1, 1], init="constant", value=0.000001, name="layer_scale")\n  output y = x * s + buffer([7, 7], name="mask")\n}');
    expect([r.report!.params.learnable, r.report!.params.buffers]).toEqual([96, 49]);
    const weights = declaredWeights(r.graph!).map((w) => [w.name, w.spec.shape, w.spec.role, w.spec.init, w.spec.value]);
    expect(weights).toEqual([
      ['layer_scale', [96, 1, 1], 'learnable', 'constant', 0.000001],
      ['mask', [7, 7], 'buffer', 'zeros', 0],
    ]);
  });

  it('has no MACs and an output shape of its own', () => {
    const r = compileOk(net('[2, 3]', 'x + param([2, 3])'));
    expect(r.report!.layers.find((l) => l.op === 'param')).toMatchObject({ params: 6, macs: 0 });
  });
});
