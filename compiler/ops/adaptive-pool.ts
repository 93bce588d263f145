// adaptive_avgpool, adaptive_maxpool: pool to a fixed output size (PyTorch AdaptiveAvgPool/MaxPool).
// Output cell i of an axis covers input rows floor(i·I/O) to ceil((i+1)·I/O) − 1. When every I is
// divisible by its O, a plain pool with kernel = stride = I/O computes the same thing; attrs say so.
import { defineOp, type OpDef } from './op.js';
import { axisName, perAxis, spatialRank } from './spatial.js';

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
  return defineOp<AdaptivePoolAttrs>({
    kind,
    summary: `${kind === 'adaptive_avgpool' ? 'mean' : 'maximum'} over adaptive windows, to a given output size`,
    arity: { min: 1, max: 1 },
    params: { size: { type: 'ints', doc: 'output size, one value or one per spatial axis' } },
    infer([x], args, ctx) {
      const rank = spatialRank(kind, x!, ctx);
      if (rank === undefined) return undefined;
      const size = perAxis(args['size']!, rank, 'size', ctx);
      if (!size) return undefined;
      const bad = size.findIndex((o) => o <= 0);
      if (bad >= 0) {
        return ctx.error('E0305', `${kind} output ${axisName(rank, bad)} must be at least 1, got ${size[bad]}`, {
          arg: 'size',
          notes: [`received: size=${JSON.stringify(args['size'])}, input [${x!.join(', ')}]`],
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
