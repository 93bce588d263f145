// pad: pad the spatial axes with a constant ("zero" mode, value 0 unless given), their mirror image
// without the edge ("reflect", PyTorch/ONNX reflect) or copies of the edge ("edge", PyTorch
// replicate). Pads are written as conv's are: int, one per axis, or begin/end pairs in axis order.
import { asList, defineOp, type ListArg, type OpContext } from './op.js';
import { add } from '../symbolic/expr.js';
import type { OnnxLowering } from '../lower-onnx/lowering.js';
import { axisName, spatialRank } from './spatial.js';
import type { TfjsLowering } from '../lower-tfjs/contract.js';
import { pyFloat, pyList, torchPads } from '../lower-pytorch/lowering.js';

export interface PadAttrs {
  readonly mode: 'zero' | 'reflect' | 'edge';
  /** Rows added before and after, per spatial axis (the channel axis is never padded). */
  readonly begin: readonly number[];
  readonly end: readonly number[];
  /** The constant for "zero" mode. */
  readonly value: number;
}

export const pad = defineOp({
  kind: 'pad',
  summary: 'pad the spatial axes (constant, reflect or edge)',
  arity: { min: 1, max: 1 },
  params: {
    pads: { type: 'ints', doc: 'int, one per spatial axis, or begin/end pairs [top, bottom, left, right]' },
    mode: { type: 'string', default: 'zero', oneOf: ['zero', 'reflect', 'edge'] },
    value: { type: 'float', default: 0.0, doc: 'fill value of "zero" mode' },
  },
  infer([x], args, ctx) {
    const rank = spatialRank('pad', x!, ctx);
    if (rank === undefined) return undefined;
    const mode = args.mode;
    if (mode !== 'zero' && ctx.given('value')) {
      return ctx.error('E0210', `pad mode "${mode}" takes no value; only mode="zero" fills with a constant`, { arg: 'value' });
    }
    const sides = beginEnd(args.pads, rank, ctx);
    if (!sides) return undefined;
    const input = x!.slice(1);
    if (mode === 'reflect' && !reflectFits(input, sides, ctx)) return undefined;
    const shape = [x![0]!, ...input.map((I, i) => I + sides.begin[i]! + sides.end[i]!)];
    return { attrs: { mode, ...sides, value: args.value }, shape };
  },
  symbolic: (a, [x]) => [x![0]!, ...a.begin.map((b, i) => add(x![i + 1]!, b + a.end[i]!))],
  tfjs: (a, kit) => padTfjs(a, kit),
  onnx: (g) => padOnnx(g),
  pytorch: { forward: (g) => padTorch(g.inputs[0]!, g.attrs) },
});

/** F.pad lists the last axis first; "edge" is PyTorch's "replicate". */
function padTorch(x: string, a: PadAttrs): string {
  const pads = pyList(torchPads(a.begin, a.end));
  if (a.mode === 'zero') return a.value === 0 ? `F.pad(${x}, ${pads})` : `F.pad(${x}, ${pads}, value=${pyFloat(a.value)})`;
  return `F.pad(${x}, ${pads}, mode='${a.mode === 'edge' ? 'replicate' : 'reflect'}')`;
}

function beginEnd(value: ListArg, rank: number, ctx: OpContext) {
  const list = asList(value);
  let begin: number[];
  let end: number[];
  if (list.length === 1 || list.length === rank) {
    begin = Array.from({ length: rank }, (_, i) => list[list.length === 1 ? 0 : i]!);
    end = [...begin];
  } else if (list.length === 2 * rank) {
    begin = list.filter((_, i) => i % 2 === 0);
    end = list.filter((_, i) => i % 2 === 1);
  } else {
    return ctx.error('E0203', `pad needs 1, ${rank} or ${2 * rank} values for ${rank} spatial axes, got ${JSON.stringify(value)}`, {
      arg: 'pads',
      hint: rank === 2 ? 'e.g. pads=1, pads=[1, 2] (height, width) or pads=[top, bottom, left, right]' : undefined,
    });
  }
  if ([...begin, ...end].some((p) => p < 0)) {
    return ctx.error('E0305', `pads cannot be negative, got ${JSON.stringify(value)}`, { arg: 'pads', hint: 'crop with slice instead' });
  }
  return { begin, end };
}

/** Reflection mirrors the input without its edge row, so each pad must be smaller than the size. */
function reflectFits(input: readonly number[], sides: { begin: number[]; end: number[] }, ctx: OpContext): boolean {
  const i = input.findIndex((I, k) => Math.max(sides.begin[k]!, sides.end[k]!) >= I);
  if (i < 0) return true;
  const name = axisName(input.length, i);
  const widest = Math.max(sides.begin[i]!, sides.end[i]!);
  return !ctx.error('E0305', `reflect padding must be smaller than the input ${name}: pad ${widest} on an input ${name} of ${input[i]}`, {
    arg: 'pads',
    notes: ['reflect mirrors the rows next to the edge, leaving the edge row out: at most I − 1 rows per side'],
    hint: input[i]! > 1 ? `use pads of at most ${input[i]! - 1} on the ${name}, or mode="edge"` : 'use mode="edge" or mode="zero"',
  });
}

/** ONNX Pad over the whole tensor: the batch and channel axes get no padding. */
const padOnnx: OnnxLowering<PadAttrs> = (g) => {
  const a = g.attrs;
  const pads = g.constant('pads', 'int64', [0, 0, ...a.begin, 0, 0, ...a.end]);
  if (a.mode === 'zero') return g.op('Pad', [g.inputs[0]!, pads, g.constant('value', 'float', [a.value], [])], { mode: 'constant' });
  return g.op('Pad', [g.inputs[0]!, pads], { mode: a.mode });
};

const padTfjs: TfjsLowering<PadAttrs> = (a, kit) => {
  const mode = a.mode === 'zero' ? 'constant' : a.mode;
  const layer = kit.custom.pad({ name: kit.name(), begin: [...a.begin], end: [...a.end], mode, value: a.value });
  return { output: kit.apply(layer, kit.input(0, 'cl')), layout: 'cl' };
};
