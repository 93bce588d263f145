// add, sub, mul, div: element-wise binary ops with NumPy broadcasting over the per-sample shape
// (the batch axis always matches). `a + b`, `a - b`, `a * b` and `a / b` on tensors lower to these.
import { defineOp, type OpDef, type OpContext, type SymbolicStep } from './op.js';
import { sameSize, type Size } from '../symbolic/expr.js';
import type { Shape } from '../ir.js';
import type { OnnxLoweringContext } from '../lower-onnx/lowering.js';
import type { TfjsLowering } from '../lower-tfjs/contract.js';

export type ElementwiseAttrs = Record<string, never>;

/** NumPy broadcasting, right-aligned; undefined when some axis is neither equal nor 1. */
export function broadcast(a: Shape, b: Shape): number[] | undefined {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const x = a[a.length - rank + i] ?? 1;
    const y = b[b.length - rank + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) return undefined;
    out.push(Math.max(x, y));
  }
  return out;
}

/** broadcast in the size variables: each axis takes its first operand's size other than 1, and the others must equal it. */
export function symbolicBroadcast(ins: readonly (readonly Size[])[], { node, need }: SymbolicStep): Size[] {
  const rank = Math.max(...ins.map((s) => s.length));
  const out: Size[] = [];
  for (let j = 0; j < rank; j++) {
    const dims = ins.map((s) => s[s.length - rank + j]).filter((d): d is Size => d !== undefined && d !== 1);
    const first = dims[0] ?? 1;
    for (const d of dims.slice(1)) if (!sameSize(first, d)) need({ kind: 'eq', left: first, right: d, span: node.span, why: `the operands of ${node.name} must match` });
    out.push(first);
  }
  return out;
}

type ElementwiseKind = 'add' | 'sub' | 'mul' | 'div';
const ONNX_TYPE: Record<ElementwiseKind, string> = { add: 'Add', sub: 'Sub', mul: 'Mul', div: 'Div' };
const TORCH_OPERATOR: Record<ElementwiseKind, string> = { add: '+', sub: '-', mul: '*', div: '/' };

function elementwise(kind: ElementwiseKind, symbol: string): OpDef<ElementwiseAttrs> {
  return defineOp({
    kind,
    summary: `element-wise a ${symbol} b with broadcasting`,
    arity: { min: 2, max: 2 },
    params: {},
    infer([a, b], _args, ctx: OpContext) {
      const shape = broadcast(a!, b!);
      if (!shape) {
        return ctx.error('E0302', `${kind} needs shapes that match or broadcast: [${a!.join(', ')}] ${symbol} [${b!.join(', ')}]`, {
          trace: true,
          notes: ['each axis, aligned from the right, must be equal or 1'],
          hint: explainMismatch(a!, b!),
        });
      }
      return { attrs: {}, shape };
    },
    symbolic: (_a, ins, step) => symbolicBroadcast(ins, step),
    tfjs: (a, kit) => elementwiseTfjs(kind)(a, kit),
    onnx: (g) => elementwiseOnnx(ONNX_TYPE[kind], g),
    pytorch: { forward: (g) => elementwiseTorch(TORCH_OPERATOR[kind], g.inputs, g.inputShapes) },
  });
}

/**
 * ONNX broadcasts whole tensors, batch axis included: a lower-rank operand gets 1s after the batch
 * axis first, so that [N, C, H, W] + [N, W] aligns W with W and not N with H.
 */
function elementwiseOnnx(type: string, g: OnnxLoweringContext<ElementwiseAttrs>): string {
  return g.op(type, alignedOnnxInputs(g));
}

/** The op's inputs, each of lower rank unsqueezed after the batch axis to the highest rank. */
export function alignedOnnxInputs(g: OnnxLoweringContext<unknown>): string[] {
  const rank = Math.max(...g.inputShapes.map((s) => s.length));
  return g.inputs.map((x, i) => {
    const shape = g.inputShapes[i]!;
    if (shape.length === rank) return x;
    const axes = g.constant('axes', 'int64', Array.from({ length: rank - shape.length }, (_, k) => k + 1));
    return g.op('Unsqueeze', [x, axes], {}, { shape: [...Array(rank - shape.length).fill(1), ...shape] });
  });
}

/**
 * PyTorch broadcasts whole tensors, batch axis included: a lower-rank operand gets its missing axes
 * after the batch axis (as the ONNX lowering does), so [N, C, H, W] + [N, W] aligns W with W.
 */
function elementwiseTorch(operator: string, inputs: readonly string[], shapes: readonly Shape[]): string {
  const fitted = alignedTorchInputs(inputs, shapes);
  return `${fitted[0]} ${operator} ${fitted[1]}`;
}

/** The operands, each of lower rank given its missing axes after the batch axis. */
export function alignedTorchInputs(inputs: readonly string[], shapes: readonly Shape[]): string[] {
  const rank = Math.max(...shapes.map((s) => s.length));
  return inputs.map((x, i) => {
    const missing = rank - shapes[i]!.length;
    return missing === 0 ? x : `${x}[:, ${Array(missing).fill('None').join(', ')}]`;
  });
}

function explainMismatch(a: Shape, b: Shape): string {
  if (a.length === b.length && a.length >= 1 && a[0] !== b[0] && a.slice(1).join() === b.slice(1).join()) {
    return `the channels differ (${a[0]} vs ${b[0]}): project the shortcut with a 1×1 conv to ${a[0]} channels`;
  }
  if (a.length === b.length && a.length >= 2 && a[0] === b[0]) return explainSpatial(a.slice(1), b.slice(1));
  return 'reshape one side, or check which tensors you meant to combine';
}

/** Same channels, other sizes: a missing stride, missing padding, or something else. */
function explainSpatial(a: Shape, b: Shape): string {
  const [big, small] = a.reduce((p, d) => p * d, 1) >= b.reduce((p, d) => p * d, 1) ? [a, b] : [b, a];
  for (let stride = 2; stride <= 32; stride++) {
    if (big.every((d, i) => Math.ceil(d / stride) === small[i]) && big.some((d, i) => d !== small[i])) {
      return `one side is ${stride}× smaller on every axis: give the shortcut the same stride (${stride}) as the main path`;
    }
  }
  const lost = big[0]! - small[0]!;
  if (lost > 0 && lost % 2 === 0 && big.every((d, i) => d - small[i]! === lost)) {
    return `one side lost ${lost} on every axis, as an unpadded ${lost + 1}×${lost + 1} convolution does: pad=${lost / 2} keeps the size`;
  }
  return 'the spatial sizes differ: give both paths the same strides and padding';
}

export const add = elementwise('add', '+');
export const sub = elementwise('sub', '−');
export const mul = elementwise('mul', '×');
export const div = elementwise('div', '/');

/** tfjs's add and multiply layers, ArchcBinary for a − b and a / b; the inputs share one layout first. */
const elementwiseTfjs = (kind: ElementwiseKind): TfjsLowering<ElementwiseAttrs> => (_a, kit) => {
  const { inputs, layout } = kit.common({ flat: true });
  const name = kit.name();
  const layer = kind === 'add' ? kit.layers.add({ name }) : kind === 'mul' ? kit.layers.multiply({ name }) : kit.custom.binary({ name, kind });
  return { output: kit.apply(layer, inputs), layout };
};
