// Segmentation metrics from a pixel confusion matrix, against figures worked out by hand.
import { describe, expect, it } from 'vitest';
import { IGNORE } from '../../runtime/data/masks.js';
import { addToConfusion, emptyConfusion, formatSegEvaluation, segEvaluation } from '../../runtime/train/seg-metrics.js';

describe('segmentation metrics', () => {
  // Truth 0 0 0 1 1 2 (and one ignored pixel); predicted 0 0 1 1 1 1 (the ignored one as 2).
  const confusion = emptyConfusion(4);
  addToConfusion(confusion, [0, 0, 0, 1, 1, 2, IGNORE], [0, 0, 1, 1, 1, 1, 2]);
  const e = segEvaluation(confusion, ['bg', 'a', 'b', 'never'], 1);

  it('counts labelled pixels only', () => {
    expect(confusion).toEqual([[2, 1, 0, 0], [0, 2, 0, 0], [0, 1, 0, 0], [0, 0, 0, 0]]);
    expect(e.pixels).toBe(6);
    expect(e.pixelAccuracy).toBeCloseTo(4 / 6, 10);
  });

  it('IoU = TP / (TP + FP + FN) and Dice = 2TP / (2TP + FP + FN) per class; means skip classes absent from truth and prediction', () => {
    // bg: TP 2, FN 1, FP 0 → IoU 2/3, Dice 4/5. a: TP 2, FP 2 → IoU 1/2, Dice 4/6. b: TP 0, FN 1 → 0.
    expect(e.perClass.map((c) => c.iou).slice(0, 3)).toEqual([2 / 3, 1 / 2, 0]);
    expect(e.perClass[0]!.dice).toBeCloseTo(4 / 5, 10);
    expect(e.perClass[1]!.dice).toBeCloseTo(4 / 6, 10);
    expect(e.perClass[3]!.iou).toBeNaN();
    expect(e.meanIoU).toBeCloseTo((2 / 3 + 1 / 2 + 0) / 3, 10);
    expect(e.meanDice).toBeCloseTo((4 / 5 + 4 / 6 + 0) / 3, 10);
  });

  it('prints the summary and one row per class, "-" where IoU is undefined', () => {
    const text = formatSegEvaluation(e);
    expect(text).toContain('pixel accuracy 0.667 (6 labelled pixels in 1 images)');
    expect(text).toContain('mIoU 0.389  mean Dice 0.489');
    expect(text).toMatch(/^bg\s+0\.667\s+0\.800\s+3\s+2$/m);
    expect(text).toMatch(/^never\s+-\s+-\s+0\s+0$/m);
  });
});
