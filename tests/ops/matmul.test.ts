import { describe, expect, it } from 'vitest';
import { compileText } from '../helpers.js';

/** Two inputs a and b, output matmul(a, b): the shape, or the first error code. */
function product(a: string, b: string, left = 'a') {
  const r = compileText(`model t {\n  input a: ${a}\n  input b: ${b}\n  output y = matmul(${left}, b)\n}\n`);
  const error = r.diagnostics.find((d) => d.severity === 'error');
  return { r, outcome: error ? error.code : r.report!.outputs[0]!.shape.slice(1) };
}

describe('matmul', () => {
  it.each([
    ['[4, 8]', '[8, 5]', [4, 5]],
    ['[12, 197, 64]', '[12, 64, 197]', [12, 197, 197]], // attention scores
    ['[12, 197, 197]', '[12, 197, 64]', [12, 197, 64]], // weighted values
    ['[12, 4, 8]', '[8, 5]', [12, 4, 5]], // broadcast leading axes
    ['[2, 1, 4, 8]', '[3, 8, 5]', [2, 3, 4, 5]],
    ['[8]', '[8, 5]', [5]], // row vector
    ['[4, 8]', '[8]', [4]], // column vector
    ['[3, 4, 8]', '[8]', [3, 4]],
    // errors
    ['[4, 8]', '[7, 5]', 'E0302'],
    ['[2, 4, 8]', '[3, 8, 5]', 'E0302'],
    ['[8]', '[8]', 'E0303'],
  ])('%s @ %s → %j', (a, b, expected) => {
    expect(product(a, b).outcome).toEqual(expected);
  });

  it.each([
    ['[4, 8]', '[8, 5]', 4 * 8 * 5],
    ['[12, 197, 64]', '[12, 64, 197]', 12 * 197 * 64 * 197],
    ['[2, 1, 4, 8]', '[3, 8, 5]', 6 * 4 * 8 * 5],
    ['[8]', '[8, 5]', 40],
  ])('%s @ %s: %d MACs', (a, b, macs) => {
    expect(product(a, b).r.report!.macs).toBe(macs);
  });

  it('records the promoted, rank-aligned operand shapes for export', () => {
    const { r } = product('[12, 4, 8]', '[8]');
    expect(r.graph!.nodes.at(-1)!.attrs).toEqual({ m: 4, k: 8, n: 1, batch: [12], lhs: [12, 4, 8], rhs: [1, 8, 1], scale: 1 });
  });

  it('suggests transposing a right operand stored as [N, K]', () => {
    const d = product('[4, 3]', '[5, 8]', 'a |> dense(8)').r.diagnostics[0]!;
    expect(d.message).toBe("matmul needs the left operand's last axis to equal the right operand's second-to-last: 8 vs 5");
    expect(d.hint).toBe('the right operand looks stored as [.., N, K]: transpose its last two axes first');
  });
});
