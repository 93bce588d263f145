import { describe, expect, it } from 'vitest';
import { compileText, net } from '../helpers.js';
import { compileOk } from './table.js';

/** The scalar nodes of `y = body` on a [4, 5, 5] input, as [op, value]. */
function scalars(body: string): [string, number][] {
  return compileOk(net('[4, 5, 5]', body))
    .graph!.nodes.filter((n) => n.op === 'scalar')
    .map((n) => {
      const a = n.attrs as { op: string; value: number };
      return [a.op, a.value];
    });
}

describe('tensor–scalar arithmetic', () => {
  it.each([
    ['x * 0.5', [['mul', 0.5]]],
    ['x + 1', [['add', 1]]],
    ['1 - x', [['rsub', 1]]],
    ['x - 1', [['sub', 1]]],
    ['x / 4', [['div', 4]]],
    ['2 / x', [['rdiv', 2]]],
    ['3 * x', [['mul', 3]]],
    ['-x', [['mul', -1]]],
    ['(x + 1) * 0.5', [['add', 1], ['mul', 0.5]]],
  ])('%s → %j', (body, expected) => {
    expect(scalars(body)).toEqual(expected);
  });

  it('keeps the shape and adds no parameters or MACs', () => {
    const r = compileOk(net('[4, 5, 5]', 'x * 0.5'));
    expect(r.report!.outputs[0]!.shape).toEqual(['N', 4, 5, 5]);
    expect(r.report!.layers.at(-1)).toMatchObject({ op: 'scalar', params: 0, macs: 0 });
  });

  it('divides tensors element-wise with broadcasting', () => {
    const r = compileOk(net('[4, 5, 5]', 'x / (x |> global_avgpool)'));
    expect(r.graph!.nodes.at(-1)!.op).toBe('div');
    expect(r.report!.outputs[0]!.shape).toEqual(['N', 4, 5, 5]);
  });

  it.each([
    ['x / 0', 'E0605'],
    ['x % 2', 'E0203'],
    ['x + "a"', 'E0203'],
    ['x / (x |> conv(3, 1))', 'E0302'],
  ])('%s is %s', (body, code) => {
    const r = compileText(net('[4, 5, 5]', body));
    expect(r.diagnostics.filter((d) => d.severity === 'error').map((d) => d.code)).toEqual([code]);
  });
});
