// Classification metrics against hand-computed values (scikit-learn's conventions).
import { describe, expect, it } from 'vitest';
import { argmaxRows, confusionMatrix, evaluate, formatEvaluation, topK } from '../../runtime/train/metrics.js';

describe('evaluate', () => {
  // truth:     0 0 0 1 1 2
  // predicted: 0 0 1 1 2 2
  const e = evaluate([0, 0, 0, 1, 1, 2], [0, 0, 1, 1, 2, 2], ['a', 'b', 'c']);

  it('counts rows as the true class and columns as the predicted one', () => {
    expect(e.confusion).toEqual([[2, 1, 0], [0, 1, 1], [0, 0, 1]]);
    expect(e.accuracy).toBeCloseTo(4 / 6);
  });

  it('gives per-class precision, recall, F1 and support, and their macro means', () => {
    const round = (x: number) => Number(x.toFixed(4));
    expect(e.perClass.map((c) => [c.name, round(c.precision), round(c.recall), round(c.f1), c.support])).toEqual([
      ['a', 1, 0.6667, 0.8, 3],
      ['b', 0.5, 0.5, 0.5, 2],
      ['c', 0.5, 1, 0.6667, 1],
    ]);
    expect(round(e.macro.f1)).toBe(round((0.8 + 0.5 + 2 / 3) / 3));
  });

  it('gives zero rather than NaN for a class never predicted, and leaves absent classes out of the macro mean', () => {
    const z = evaluate([0, 1], [0, 0], ['a', 'b', 'c']);
    expect(z.perClass[1]).toEqual({ name: 'b', precision: 0, recall: 0, f1: 0, support: 1 });
    expect(z.macro.recall).toBeCloseTo(0.5);
  });

  it('prints a table and the matrix', () => {
    expect(formatEvaluation(e)).toBe(
      [
        'accuracy 0.667 (4 of 6)',
        '',
        'class  precision  recall     f1  support',
        'a          1.000   0.667  0.800        3',
        'b          0.500   0.500  0.500        2',
        'c          0.500   1.000  0.667        1',
        'macro      0.667   0.722  0.656        6',
        '',
        'confusion matrix (rows: true class, columns: predicted class)',
        '          a    b    c',
        'a         2    1    0',
        'b         0    1    1',
        'c         0    0    1',
        '',
      ].join('\n'),
    );
  });
});

describe('helpers', () => {
  it('topK orders by score, ties by index', () => {
    expect(topK([0.1, 0.5, 0.2, 0.5], 3)).toEqual([1, 3, 2]);
  });

  it('argmaxRows and confusionMatrix agree on a score matrix', () => {
    expect([...argmaxRows([1, 3, 2, 9, 0, 1], 2, 3)]).toEqual([1, 0]);
    expect(confusionMatrix([1, 0], [1, 0], 2)).toEqual([[1, 0], [0, 1]]);
  });
});
