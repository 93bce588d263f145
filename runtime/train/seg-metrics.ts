// Segmentation metrics from a pixel confusion matrix (rows: true class, columns: predicted, over
// labelled pixels only): pixel accuracy, and per class IoU = TP / (TP + FP + FN) and Dice =
// 2·TP / (2·TP + FP + FN). mIoU and mean Dice average the classes that occur in the truth or the
// prediction (a class absent from both has no defined IoU), as torchvision's references and
// mmsegmentation do with nanmean.
import { IGNORE } from '../data/masks.js';

export interface SegClassMetrics {
  readonly name: string;
  /** NaN when the class is neither in the truth nor predicted. */
  readonly iou: number;
  readonly dice: number;
  /** Labelled pixels of this class. */
  readonly pixels: number;
  /** Pixels predicted as this class (among the labelled ones). */
  readonly predicted: number;
}

export interface SegEvaluation {
  readonly images: number;
  /** Labelled pixels counted (ignored ones excluded). */
  readonly pixels: number;
  readonly pixelAccuracy: number;
  readonly meanIoU: number;
  readonly meanDice: number;
  readonly perClass: readonly SegClassMetrics[];
  readonly confusion: readonly (readonly number[])[];
}

/** Adds the labelled pixels of `truth` (IGNORE skipped) against `predicted` to `confusion`. */
export function addToConfusion(confusion: number[][], truth: ArrayLike<number>, predicted: ArrayLike<number>): void {
  for (let i = 0; i < truth.length; i++) {
    const t = truth[i]!;
    if (t !== IGNORE) confusion[t]![predicted[i]!]!++;
  }
}

export const emptyConfusion = (k: number): number[][] => Array.from({ length: k }, () => new Array<number>(k).fill(0));

export function segEvaluation(confusion: readonly (readonly number[])[], classNames: readonly string[], images: number): SegEvaluation {
  const k = classNames.length;
  let total = 0;
  let correct = 0;
  const perClass = classNames.map((name, c) => {
    const tp = confusion[c]![c]!;
    const pixels = confusion[c]!.reduce((a, b) => a + b, 0);
    const predicted = confusion.reduce((a, row) => a + row[c]!, 0);
    total += pixels;
    correct += tp;
    const union = pixels + predicted - tp;
    return { name, iou: union ? tp / union : NaN, dice: union ? (2 * tp) / (pixels + predicted) : NaN, pixels, predicted };
  });
  return {
    images,
    pixels: total,
    pixelAccuracy: total ? correct / total : 0,
    meanIoU: nanMean(perClass.map((c) => c.iou)),
    meanDice: nanMean(perClass.slice(0, k).map((c) => c.dice)),
    perClass,
    confusion,
  };
}

/** mIoU alone, for the per-epoch validation figure. */
export const meanIoU = (confusion: readonly (readonly number[])[]): number =>
  segEvaluation(confusion, confusion.map((_, i) => String(i)), 0).meanIoU;

function nanMean(values: readonly number[]): number {
  const defined = values.filter((v) => !Number.isNaN(v));
  return defined.length ? defined.reduce((a, b) => a + b, 0) / defined.length : 0;
}

/** A plain-text report: the summary figures, then one row per class. */
export function formatSegEvaluation(e: SegEvaluation): string {
  const f = (x: number) => (Number.isNaN(x) ? '    -' : x.toFixed(3));
  const nameWidth = Math.max(5, ...e.perClass.map((c) => c.name.length));
  const pixelWidth = Math.max(6, String(e.pixels).length);
  const head = `${'class'.padEnd(nameWidth)}    IoU   Dice  ${'pixels'.padStart(pixelWidth)}  ${'predicted'.padStart(pixelWidth)}`;
  const rows = e.perClass.map(
    (c) => `${c.name.padEnd(nameWidth)}  ${f(c.iou).padStart(5)}  ${f(c.dice).padStart(5)}  ${String(c.pixels).padStart(pixelWidth)}  ${String(c.predicted).padStart(Math.max(pixelWidth, 9))}`,
  );
  return [
    `pixel accuracy ${f(e.pixelAccuracy)} (${e.pixels} labelled pixels in ${e.images} images)`,
    `mIoU ${f(e.meanIoU)}  mean Dice ${f(e.meanDice)}`,
    '',
    head,
    ...rows,
    '',
  ].join('\n');
}
