// Functions on numbers and lists available in every .arch file.
import { int, num, type Value } from './values.js';

export interface BuiltinDef {
  readonly doc: string;
  readonly arity: { readonly min: number; readonly max: number };
  /** Returns the result, or an error message about the arguments. */
  readonly apply: (args: readonly Value[]) => Value | string;
}

const numbers = (args: readonly Value[]): number[] | string => {
  const out: number[] = [];
  for (const a of args) {
    if (a.kind === 'int' || a.kind === 'float') out.push(a.value);
    else if (a.kind === 'list' && a.items.every((i) => i.kind === 'int' || i.kind === 'float')) {
      // A loop, not push(...spread): a list may hold up to a million numbers, past the stack.
      for (const i of a.items) out.push((i as { value: number }).value);
    } else return 'expects numbers';
  }
  return out;
};

const numeric = (fn: (xs: number[]) => number, min = 1, max = Infinity, doc = ''): BuiltinDef => ({
  doc,
  arity: { min, max },
  apply: (args) => {
    const xs = numbers(args);
    if (typeof xs === 'string') return xs;
    if (xs.length === 0) return 'needs at least one number';
    return num(fn(xs));
  },
});

/** TF/torchvision's _make_divisible: round to the nearest multiple, never more than 10% down. */
export function makeDivisible(value: number, divisor: number, minValue = divisor): number {
  let rounded = Math.max(minValue, Math.floor((value + divisor / 2) / divisor) * divisor);
  if (rounded < 0.9 * value) rounded += divisor;
  return rounded;
}

export const builtins: Record<string, BuiltinDef> = {
  min: numeric((xs) => xs.reduce((a, b) => Math.min(a, b)), 1, Infinity, 'smallest of the numbers'),
  max: numeric((xs) => xs.reduce((a, b) => Math.max(a, b)), 1, Infinity, 'largest of the numbers; on a tensor, reduce_max over axes: x |> max(axis=0)'),
  mean: numeric((xs) => xs.reduce((a, b) => a + b, 0) / xs.length, 1, Infinity, 'mean of numbers or of a list; on a tensor, reduce_mean over axes: x |> mean(axis=[1, 2])'),
  abs: numeric(([x]) => Math.abs(x!), 1, 1, 'absolute value'),
  floor: numeric(([x]) => Math.floor(x!), 1, 1, 'round down to an integer'),
  ceil: numeric(([x]) => Math.ceil(x!), 1, 1, 'round up to an integer'),
  round: numeric(([x]) => Math.round(x!), 1, 1, 'round half up to an integer'),
  int: numeric(([x]) => Math.trunc(x!), 1, 1, 'truncate toward zero'),
  sum: numeric((xs) => xs.reduce((a, b) => a + b, 0), 1, Infinity, 'sum of numbers or of a list; on a tensor, reduce_sum over axes: x |> sum(axis=-1)'),
  sqrt: {
    doc: 'square root of a non-negative number (attention scales: 1 / sqrt(d))',
    arity: { min: 1, max: 1 },
    apply: ([x]) => (x!.kind !== 'int' && x!.kind !== 'float' ? 'expects a number' : x!.value < 0 ? 'needs a number ≥ 0' : num(Math.sqrt(x!.value))),
  },
  float: {
    doc: 'the number as a float',
    arity: { min: 1, max: 1 },
    apply: ([x]) => (x!.kind === 'int' || x!.kind === 'float' ? { kind: 'float', value: x!.value } : 'expects a number'),
  },
  make_divisible: numeric(
    ([v, d = 8, m]) => makeDivisible(v!, d, m ?? d),
    1,
    3,
    'make_divisible(v, divisor=8, min=divisor): nearest multiple of divisor, at least 90% of v',
  ),
  str: {
    doc: 'str(v): a number, boolean or string as text, e.g. to name the i-th block call name=str(i)',
    arity: { min: 1, max: 1 },
    apply: ([x]) => (x!.kind === 'int' || x!.kind === 'float' || x!.kind === 'bool' || x!.kind === 'string' ? { kind: 'string', value: String(x!.value) } : 'expects a number, a boolean or a string'),
  },
  len: {
    doc: 'length of a list',
    arity: { min: 1, max: 1 },
    apply: ([x]) => (x!.kind === 'list' ? int(x!.items.length) : 'expects a list'),
  },
  range: {
    doc: 'range(n) or range(a, b): the integers a, ..., b−1',
    arity: { min: 1, max: 2 },
    apply: (args) => {
      const xs = numbers(args);
      if (typeof xs === 'string' || !xs.every(Number.isInteger)) return 'expects integers';
      const [a, b] = xs.length === 1 ? [0, xs[0]!] : [xs[0]!, xs[1]!];
      if (b - a > 100_000) return `would make ${b - a} items (the limit is 100000)`;
      return { kind: 'list', items: Array.from({ length: Math.max(0, b - a) }, (_, i) => int(a + i)) };
    },
  },
};

/** Builtins that, given a tensor first, are the reduction op of that name (`x |> mean(axis=0)`). */
export const TENSOR_FORMS: Readonly<Record<string, string>> = { mean: 'reduce_mean', sum: 'reduce_sum', max: 'reduce_max' };
