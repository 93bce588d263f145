// Where the batch axis sits. archc's ops work per sample: a tensor is [N, …per-sample axes] with N
// first. ONNX files sometimes move N: PyTorch's nn.MultiheadAttention works sequence-first
// ([T, N, D]) and folds the batch into the heads ([N·heads, T, hd]) or the tokens ([T·N, D]). Such a
// tensor is still one archc tensor — its per-sample axes in the same memory order, N left out — plus
// a layout saying how the ONNX axes are made of archc axes and N. A Transpose then only permutes the
// archc axes, a Reshape regroups them around N, and the batch is back in front before any op that
// needs it there (an exporter always puts it back: its outputs are batch-first).
//
// Shape vectors (Shape → Gather → Concat …) carry the batch symbolically: a dimension is a number
// or k·N.

/** A dimension in a shape vector: a number, or `batch`·N. */
export type IntOrBatch = number | { readonly batch: number };

export const BATCH: IntOrBatch = { batch: 1 };

export const isBatch = (d: IntOrBatch | undefined): d is { readonly batch: number } => typeof d === 'object' && d !== null;

export const dimText = (d: IntOrBatch): string => (isBatch(d) ? (d.batch === 1 ? 'N' : `${d.batch}·N`) : String(d));

/** One ONNX axis: the archc axes it is made of, in memory order, with 'B' where the batch sits. */
export type Axis = readonly (number | 'B')[];

/** The ONNX axes of a tensor; undefined stands for the usual [N, …per-sample axes]. */
export type Layout = readonly Axis[];

export function standardLayout(rank: number): Layout {
  return [['B'], ...Array.from({ length: rank }, (_, i) => [i])];
}

/** undefined when the layout is the usual one (so that equal tensors compare equal). */
export function normalized(layout: Layout, rank: number): Layout | undefined {
  const usual = layout.length === rank + 1 && layout[0]!.length === 1 && layout[0]![0] === 'B' && layout.slice(1).every((a, i) => a.length === 1 && a[0] === i);
  return usual ? undefined : layout;
}

export const sameLayout = (a: Layout | undefined, b: Layout | undefined): boolean => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** The ONNX dims of a tensor with this layout over archc shape `shape`. */
export function onnxDims(layout: Layout, shape: readonly number[]): IntOrBatch[] {
  return layout.map((axis) => {
    const size = axis.reduce<number>((p, a) => (a === 'B' ? p : p * shape[a]!), 1);
    return axis.includes('B') ? { batch: size } : size;
  });
}

/** ONNX Transpose: the archc axes in their new memory order (a permutation of the archc tensor). */
export function transposeLayout(layout: Layout, perm: readonly number[]): { layout: Layout; archcPerm: number[] } {
  const moved = perm.map((p) => layout[p]!);
  const archcPerm = moved.flat().filter((a): a is number => a !== 'B');
  const renumber = new Map(archcPerm.map((a, i) => [a, i]));
  return { layout: moved.map((axis) => axis.map((a) => (a === 'B' ? 'B' : renumber.get(a)!))), archcPerm };
}

/**
 * ONNX Reshape of a tensor with this layout to `target` (0 and -1 already resolved): the archc shape
 * and the new layout, or why it cannot be done per sample. The batch is one indivisible factor in
 * memory order: the target must keep it whole in one dimension (k·N), with the archc sizes before
 * and after it regrouped around it.
 */
export function reshapeLayout(layout: Layout, shape: readonly number[], target: readonly IntOrBatch[]): { layout: Layout; shape: number[] } | string {
  const flat = layout.flat();
  const at = flat.indexOf('B');
  const size = (parts: readonly (number | 'B')[]) => parts.reduce<number>((p, a) => (a === 'B' ? p : p * shape[a]!), 1);
  const before = size(flat.slice(0, at));
  const after = size(flat.slice(at + 1));
  const k = target.findIndex(isBatch);
  if (k < 0 || target.slice(k + 1).some(isBatch)) return 'the target does not keep the batch as one dimension';
  const product = (dims: readonly IntOrBatch[]) => dims.reduce<number>((p, d) => p * (d as number), 1);
  const outer = product(target.slice(0, k));
  const inner = product(target.slice(k + 1));
  const merged = (target[k] as { batch: number }).batch;
  const left = before / outer;
  const right = merged / left;
  if (!Number.isInteger(left) || !Number.isInteger(right) || right * inner !== after) {
    return `the batch would be split: ${before} elements before it and ${after} after it cannot be regrouped as [${target.map(dimText).join(', ')}]`;
  }
  const out: number[] = [];
  const axes: (number | 'B')[][] = [];
  const push = (d: number) => (out.push(d), out.length - 1);
  target.forEach((d, i) => {
    if (i !== k) return void axes.push([push(d as number)]);
    const axis: (number | 'B')[] = [];
    if (left !== 1) axis.push(push(left));
    axis.push('B');
    if (right !== 1) axis.push(push(right));
    axes.push(axis);
  });
  return { layout: axes, shape: out };
}

/**
 * The archc axis of ONNX axis `axis` when that axis is exactly one archc axis (a softmax, a norm or
 * a dense layer needs its axis whole), else undefined.
 */
export function plainAxis(layout: Layout, axis: number): number | undefined {
  const a = layout[axis < 0 ? axis + layout.length : axis];
  return a && a.length === 1 && a[0] !== 'B' ? a[0] : undefined;
}

/** A short description of where the batch is, for messages: `[T, N, D]`-like. */
export function layoutText(layout: Layout, shape: readonly number[]): string {
  return `[${onnxDims(layout, shape).map(dimText).join(', ')}]`;
}
