import { describe, expect, it } from 'vitest';
import { compileText, net } from '../helpers.js';
import { compileOk } from './table.js';

/** The output shape of `y = body` on a [4, 3, 3] input, or the first error code. */
function outcome(body: string): number[] | string {
  const r = compileText(net('[4, 3, 3]', body));
  const error = r.diagnostics.find((d) => d.severity === 'error');
  return error ? error.code : (r.report!.outputs[0]!.shape.slice(1) as number[]);
}

/** The attributes of the last node of `y = body`. */
const attrs = (body: string) => compileOk(net('[4, 3, 3]', body)).graph!.nodes.at(-1)!.attrs;

describe('constants', () => {
  it.each([
    ['x + zeros([4, 1, 1])', [4, 3, 3]],
    ['x * ones(3)', [4, 3, 3]],
    ['x + full([3, 3], -100)', [4, 3, 3]],
    ['x * constant([1, 2, 3, 4], shape=[4, 1, 1])', [4, 3, 3]],
    ['x + arange(3)', [4, 3, 3]],
    ['zeros([2, 0])', 'E0305'],
    ['constant([1, 2, 3], shape=[2, 2])', 'E0305'],
    ['arange(3, 3)', 'E0305'],
    ['arange(0, 3, step=0)', 'E0305'],
    ['zeros([2048, 2048])', 'E0305'],
    ['x |> zeros([4, 1, 1])', 'E0202'],
  ])('%s → %j', (body, expected) => {
    expect(outcome(body)).toEqual(expected);
  });

  it('computes the values at compile time', () => {
    expect(attrs('arange(3)')).toEqual({ shape: [3], values: [0, 1, 2] });
    expect(attrs('arange(1, 2, step=0.25)')).toEqual({ shape: [4], values: [1, 1.25, 1.5, 1.75] });
    expect(attrs('arange(3, 0, step=-1)')).toEqual({ shape: [3], values: [3, 2, 1] });
    expect(attrs('full([2, 2], -100)')).toEqual({ shape: [2, 2], values: [-100, -100, -100, -100] });
    expect(attrs('constant([1, 2, 3, 4], shape=[2, 2])')).toEqual({ shape: [2, 2], values: [1, 2, 3, 4] });
  });

  it('are not weights', () => {
    const r = compileOk(net('[4, 3, 3]', 'x * full([4, 1, 1], 2) + arange(3)'));
    expect(r.report!.params).toMatchObject({ learnable: 0, buffers: 0 });
  });
});
