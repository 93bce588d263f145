// Comparisons on tensors, where, and mean/sum/max as reductions: shapes, errors and the DSL forms.
import { describe, expect, it } from 'vitest';
describe('comparisons on tensors are masks (compare)', () => {
  it.each([
    ['[3, 4, 5]', 'x > 0', [3, 4, 5]],
    ['[3, 4, 5]', '0 <= x', [3, 4, 5]],
    ['[3, 4, 5]', 'x != (x |> reduce_max(axis=0))', [3, 4, 5]],
    ['[3, 4, 5]', '(x |> reduce_mean(axis=0)) == x', [3, 4, 5]],
    ['[3, 4, 5]', 'x < (x |> slice(0, 2, axis=1))', 'E0302'],
    ['[3, 4, 5]', 'compare(x, op="gt")', 'E0206'],
    ['[3, 4, 5]', 'compare(x, x, op="gt", value=1)', 'E0305'],
    ['[3, 4, 5]', 'x > "a"', 'E0203'],
  ])('%s: %s → %j', (shape, body, expected) => {
    expect(outcomeOf(shape, body)).toEqual(expected);
  });

  it('puts a number on the right, swapping the comparison when it was written on the left', () => {
    expect(lastAttrs('[4]', '3 > x')).toEqual({ op: 'lt', value: 3 });
    expect(lastAttrs('[4]', 'x >= 2.5')).toEqual({ op: 'ge', value: 2.5 });
    expect(lastAttrs('[4]', 'x == x')).toEqual({ op: 'eq', value: null });
  });

  it('leaves comparisons of numbers and tests against none alone', () => {
    expect(outcomeOf('[4]', 'if x == none { x * 0 } else { x }')).toEqual([4]);
  });
});

describe('where', () => {
  it.each([
    ['[3, 4, 5]', 'where(x > 0, x, x * 0.1)', [3, 4, 5]],
    ['[3, 4, 5]', 'where((x |> reduce_max(axis=0)) > 0, x, full([1], -1))', [3, 4, 5]],
    ['[3, 4, 5]', 'where(x > 0, x, x |> slice(0, 2))', 'E0302'],
    ['[3, 4, 5]', 'where(x > 0, x)', 'E0202'],
  ])('%s: %s → %j', (shape, body, expected) => {
    expect(outcomeOf(shape, body)).toEqual(expected);
  });
});

describe('mean, sum and max of a tensor are the reductions', () => {
  it.each([
    ['[3, 4, 5]', 'x |> mean(axis=[1, 2])', [3, 1, 1], 'reduce_mean'],
    ['[3, 4, 5]', 'sum(x, 0, keepdims=false)', [4, 5], 'reduce_sum'],
    ['[3, 4, 5]', 'x |> max(axis=-1)', [3, 4, 1], 'reduce_max'],
  ])('%s: %s → %j', (shape, body, expected, op) => {
    expect(outcomeOf(shape, body)).toEqual(expected);
    expect(runBody(shape, body).graph!.nodes.at(-1)!.op).toBe(op);
  });

  it('are still the builtins on numbers', () => {
    expect(outcomeOf('[4]', 'x * (mean([1, 2, 6]) + sum(1, 2) + max(3, 4))')).toEqual([4]);
    expect(lastAttrs('[4]', 'x * (mean([1, 2, 6]) + sum(1, 2) + max(3, 4))')).toEqual({ op: 'mul', value: 10 });
  });
});

import { compileText } from '../helpers.js';

/** Compiles `output y = <body>` on one input x. */
function runBody(shape: string, body: string) {
  return compileText(`model t {\n  input x: ${shape}\n  output y = ${body}\n}`);
}

function outcomeOf(shape: string, body: string): number[] | string {
  const r = runBody(shape, body);
  const error = r.diagnostics.find((d) => d.severity === 'error');
  if (error) return error.code;
  return r.report!.outputs[0]!.shape.slice(1) as number[];
}

function lastAttrs(shape: string, body: string): unknown {
  return runBody(shape, body).graph!.nodes.at(-1)!.attrs;
}
