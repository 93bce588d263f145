// adaptive_avgpool, adaptive_maxpool: pool to a fixed output size (PyTorch AdaptiveAvgPool/MaxPool).
// Output cell i of an axis covers input rows floor(i·I/O) to ceil((i+1)·I/O) − 1. When every I is
// divisible by its O, a plain pool with kernel = stride = I/O computes the same thing; attrs say so.
import { defineOp, type OpDef } from './op.js';
import type { OnnxLoweringContext } from '../lower-onnx/lowering.js';
import { axisName, perAxis, spatialRank } from './spatial.js';
import type { TfjsLowering } from '../lower-tfjs/contract.js';
import { pyInts } from '../lower-pytorch/lowering.js';

export interface AdaptivePoolAttrs {
  /** Output size per spatial axis. */
  readonly size: readonly number[];
  /** Input size per spatial axis. */
  readonly input: readonly number[];
  /** Every input size is a multiple of its output size: `pool` below reproduces the op exactly. */
  readonly divisible: boolean;
  /** The equivalent plain pool (no padding) when divisible. */
  readonly pool?: { readonly kernel: readonly number[]; readonly stride: readonly number[] };
  /** The widest window per axis (for the receptive field). */
  readonly maxWindow: readonly number[];
}

function adaptivePool(kind: 'adaptive_avgpool' | 'adaptive_maxpool'): OpDef<AdaptivePoolAttrs> {
  return defineOp({
    kind,
    summary: `${kind === 'adaptive_avgpool' ? 'mean' : 'maximum'} over adaptive windows, to a given output size`,
    arity: { min: 1, max: 1 },
    params: { size: { type: 'ints', doc: 'output size, one value or one per spatial axis' } },
    infer([x], args, ctx) {
      const rank = spatialRank(kind, x!, ctx);
      if (rank === undefined) return undefined;
      const size = perAxis(args.size, rank, 'size', ctx);
      if (!size) return undefined;
      const bad = size.findIndex((o) => o <= 0);
      if (bad >= 0) {
        return ctx.error('E0305', `${kind} output ${axisName(rank, bad)} must be at least 1, got ${size[bad]}`, {
          arg: 'size',
          notes: [`received: size=${JSON.stringify(args.size)}, input [${x!.join(', ')}]`],
        });
      }
      const input = x!.slice(1);
      const divisible = input.every((I, i) => I % size[i]! === 0);
      const maxWindow = input.map((I, i) => widestWindow(I, size[i]!));
      const pool = divisible ? { kernel: input.map((I, i) => I / size[i]!), stride: input.map((I, i) => I / size[i]!) } : undefined;
      return { attrs: { size, input, divisible, pool, maxWindow }, shape: [x![0]!, ...size] };
    },
    // Windows are I/O rows apart on average; exact when divisible.
    field: (a) => {
      const i = a.size.length >= 2 ? a.size.length - 2 : 0;
      return { kernel: a.maxWindow[i]!, stride: a.input[i]! / a.size[i]!, dilation: 1 };
    },
    // Fixed whatever the input's size, even where it happens to equal it at the defaults.
    symbolic: (_a, _ins, { node }) => [...node.shape],
    tfjs: (a, kit) => adaptivePoolTfjs(kind)(a, kit),
    onnx: (g) => adaptivePoolOnnx(kind, g),
    // PyTorch's own windows, which the ONNX and tfjs lowerings reproduce.
    pytorch: {
      module: (a) => `nn.Adaptive${kind === 'adaptive_avgpool' ? 'Avg' : 'Max'}Pool${a.size.length}d(${pyInts(a.size)})`,
      forward: (g) => `F.adaptive_${kind === 'adaptive_avgpool' ? 'avg' : 'max'}_pool${g.attrs.size.length}d(${g.inputs[0]}, ${pyInts(g.attrs.size)})`,
    },
  });
}

/**
 * max over i of ceil((i+1)·I/O) − floor(i·I/O). With r = i·I mod O the window is ceil((r + I)/O),
 * and r reaches O − gcd(I, O) at most: no loop over a possibly huge O.
 */
function widestWindow(I: number, O: number): number {
  return Math.ceil((I + O - gcd(I, O)) / O);
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

export const adaptive_avgpool = adaptivePool('adaptive_avgpool');
export const adaptive_maxpool = adaptivePool('adaptive_maxpool');

/**
 * Exact ONNX forms. Windows of one size at a fixed step on every axis (always so when divisible) are
 * a plain pool. Otherwise axis by axis, since both max and mean over a box are separable: size-1
 * windows (up-sampling) are a Gather, other windows a Slice + Reduce each, concatenated.
 */
function adaptivePoolOnnx(kind: 'adaptive_avgpool' | 'adaptive_maxpool', g: OnnxLoweringContext<AdaptivePoolAttrs>): string {
  const { size, input } = g.attrs;
  const bins = input.map((I, i) => adaptiveBins(I, size[i]!));
  const windows = bins.map(regularWindow);
  const pool = kind === 'adaptive_avgpool' ? 'AveragePool' : 'MaxPool';
  const ones = input.map(() => 1);
  if (windows.every((w) => w !== undefined)) {
    return g.op(pool, [g.inputs[0]!], { kernel_shape: windows.map((w) => w!.kernel), strides: windows.map((w) => w!.stride) });
  }
  let x = g.inputs[0]!;
  let shape = [...g.inputShapes[0]!];
  input.forEach((I, i) => {
    if (I === size[i]) return;
    const next = shape.map((d, k) => (k === i + 1 ? size[i]! : d));
    const w = windows[i];
    const axis = i + 2;
    if (w) {
      const one = (v: number) => ones.map((o, k) => (k === i ? v : o));
      x = g.op(pool, [x], { kernel_shape: one(w.kernel), strides: one(w.stride) }, { shape: next });
    } else if (bins[i]!.every((b) => b.end - b.start === 1)) {
      x = g.op('Gather', [x, g.constant('rows', 'int64', bins[i]!.map((b) => b.start))], { axis }, { shape: next });
    } else {
      const at = (as: string, v: number) => g.constant(as, 'int64', [v]);
      const reduce = kind === 'adaptive_avgpool' ? 'ReduceMean' : 'ReduceMax';
      const cell = shape.map((d, k) => (k === i + 1 ? 1 : d));
      const parts = bins[i]!.map((b) => {
        const rows = shape.map((d, k) => (k === i + 1 ? b.end - b.start : d));
        const part = g.op('Slice', [x, at('start', b.start), at('end', b.end), at('axis', axis)], {}, { shape: rows });
        return g.op(reduce, [part], { axes: [axis], keepdims: 1 }, { shape: cell });
      });
      x = g.op('Concat', parts, { axis }, { shape: next });
    }
    shape = next;
  });
  return x;
}

/** PyTorch's windows: output i covers rows floor(i·I/O) to ceil((i+1)·I/O) − 1. */
function adaptiveBins(I: number, O: number): { start: number; end: number }[] {
  return Array.from({ length: O }, (_, i) => ({ start: Math.floor((i * I) / O), end: Math.ceil(((i + 1) * I) / O) }));
}

/** The plain-pool kernel and stride when every window has one size and they start a fixed step apart. */
function regularWindow(bins: { start: number; end: number }[]): { kernel: number; stride: number } | undefined {
  const kernel = bins[0]!.end - bins[0]!.start;
  const stride = bins.length > 1 ? bins[1]!.start - bins[0]!.start : 1;
  if (stride < 1 && bins.length > 1) return undefined;
  const regular = bins.every((b, i) => b.end - b.start === kernel && b.start === i * stride);
  return regular ? { kernel, stride } : undefined;
}

/** A plain tfjs pooling layer when the sizes divide (1-D, 2-D), else ArchcAdaptivePool (PyTorch's windows). */
const adaptivePoolTfjs = (kind: 'adaptive_avgpool' | 'adaptive_maxpool'): TfjsLowering<AdaptivePoolAttrs> => (a, kit) => {
  const x = kit.input(0, 'cl');
  const name = kit.name();
  const max = kind === 'adaptive_maxpool';
  if (a.pool && a.size.length < 3) {
    const args = { name, poolSize: [...a.pool.kernel], strides: [...a.pool.stride], padding: 'valid' as const };
    const layers = max ? [kit.layers.maxPooling1d, kit.layers.maxPooling2d] : [kit.layers.averagePooling1d, kit.layers.averagePooling2d];
    const make = layers[a.size.length - 1]! as (args: object) => ReturnType<typeof kit.layers.maxPooling2d>;
    return { output: kit.apply(make(args), x), layout: 'cl' };
  }
  return { output: kit.apply(kit.custom.adaptivePool({ name, kind: max ? 'max' : 'avg', size: [...a.size] }), x), layout: 'cl' };
};
