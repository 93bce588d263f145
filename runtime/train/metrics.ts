// Classification metrics from predicted and true labels: accuracy, the confusion matrix (rows are
// the true class, columns the predicted one, as scikit-learn), per-class precision/recall/F1 and
// their macro averages, and top-k accuracy from scores.

export interface ClassMetrics {
  readonly name: string;
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  /** How many samples truly belong to the class. */
  readonly support: number;
}

export interface Evaluation {
  readonly count: number;
  readonly accuracy: number;
  /** confusion[true][predicted]. */
  readonly confusion: readonly (readonly number[])[];
  readonly perClass: readonly ClassMetrics[];
  /** Unweighted means over the classes that have support. */
  readonly macro: { readonly precision: number; readonly recall: number; readonly f1: number };
}

export function confusionMatrix(truth: ArrayLike<number>, predicted: ArrayLike<number>, classes: number): number[][] {
  const m = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  for (let i = 0; i < truth.length; i++) m[truth[i]!]![predicted[i]!]!++;
  return m;
}

/** Precision or recall with no denominator is 0, as scikit-learn's zero_division=0. */
export function evaluate(truth: ArrayLike<number>, predicted: ArrayLike<number>, classNames: readonly string[]): Evaluation {
  const k = classNames.length;
  const confusion = confusionMatrix(truth, predicted, k);
  let correct = 0;
  for (let c = 0; c < k; c++) correct += confusion[c]![c]!;
  const perClass = classNames.map((name, c) => {
    const tp = confusion[c]![c]!;
    const support = confusion[c]!.reduce((a, b) => a + b, 0);
    const predictedAs = confusion.reduce((a, row) => a + row[c]!, 0);
    const precision = predictedAs ? tp / predictedAs : 0;
    const recall = support ? tp / support : 0;
    const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
    return { name, precision, recall, f1, support };
  });
  const present = perClass.filter((c) => c.support > 0);
  const mean = (f: (c: ClassMetrics) => number) => (present.length ? present.reduce((a, c) => a + f(c), 0) / present.length : 0);
  return {
    count: truth.length,
    accuracy: truth.length ? correct / truth.length : 0,
    confusion,
    perClass,
    macro: { precision: mean((c) => c.precision), recall: mean((c) => c.recall), f1: mean((c) => c.f1) },
  };
}

/** The indices of the k largest scores, best first (ties keep the lower index first). */
export function topK(scores: ArrayLike<number>, k: number): number[] {
  return Array.from({ length: scores.length }, (_, i) => i)
    .sort((a, b) => scores[b]! - scores[a]! || a - b)
    .slice(0, k);
}

/** Row-wise argmax of a [rows, columns] score matrix. */
export function argmaxRows(scores: ArrayLike<number>, rows: number, columns: number): Int32Array {
  const out = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    let best = 0;
    for (let c = 1; c < columns; c++) if (scores[r * columns + c]! > scores[r * columns + best]!) best = c;
    out[r] = best;
  }
  return out;
}

/** A plain-text report: per-class table, macro row, accuracy and the confusion matrix. */
export function formatEvaluation(e: Evaluation): string {
  const f = (x: number) => x.toFixed(3);
  const nameWidth = Math.max(5, ...e.perClass.map((c) => c.name.length));
  const head = `${'class'.padEnd(nameWidth)}  precision  recall     f1  support`;
  const row = (name: string, m: { precision: number; recall: number; f1: number }, support: number) =>
    `${name.padEnd(nameWidth)}  ${f(m.precision).padStart(9)}  ${f(m.recall).padStart(6)}  ${f(m.f1).padStart(5)}  ${String(support).padStart(7)}`;
  const rows = e.perClass.map((c) => row(c.name, c, c.support));
  const macro = row('macro', e.macro, e.count);
  const cellWidth = Math.max(4, ...e.confusion.flat().map((v) => String(v).length), ...e.perClass.map((c) => c.name.length));
  const matrix = [
    `${''.padEnd(nameWidth)}  ${e.perClass.map((c) => c.name.padStart(cellWidth)).join(' ')}`,
    ...e.confusion.map((row, i) => `${e.perClass[i]!.name.padEnd(nameWidth)}  ${row.map((v) => String(v).padStart(cellWidth)).join(' ')}`),
  ];
  return [
    `accuracy ${f(e.accuracy)} (${Math.round(e.accuracy * e.count)} of ${e.count})`,
    '',
    head,
    ...rows,
    macro,
    '',
    'confusion matrix (rows: true class, columns: predicted class)',
    ...matrix,
    '',
  ].join('\n');
}
