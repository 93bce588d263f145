// matmul: matrix product of two tensors with NumPy semantics over per-sample shapes: the last two
// axes multiply ([.., M, K] @ [.., K, N] → [.., M, N]), leading axes broadcast, and a 1-D operand is
// a row (left) or column (right) vector whose axis is dropped again. MACs = M·K·N per leading cell.
// `scale` multiplies the product (attention's 1/√d, as torch's scaled_dot_product_attention).
import { defineOp } from './op.js';
import type { OnnxLowering } from '../lower-onnx/lowering.js';
import { formatShape } from '../ir.js';
import { product } from './spatial.js';
import { broadcast } from './elementwise.js';
import type { TfjsLowering } from '../lower-tfjs/contract.js';

export interface MatmulAttrs {
  readonly m: number;
  readonly k: number;
  readonly n: number;
  /** The broadcast leading per-sample axes. */
  readonly batch: readonly number[];
  /**
   * Each operand's per-sample shape after NumPy promotion ([K] → [1, K] on the left, [K, 1] on the
   * right) and padding with leading 1s to rank batch + 2: reshape input i to [N, ...this] and the
   * full-tensor MatMul broadcasts as the per-sample one does.
   */
  readonly lhs: readonly number[];
  readonly rhs: readonly number[];
  /** Factor applied to the product; 1 = plain MatMul. */
  readonly scale: number;
}

export const matmul = defineOp({
  kind: 'matmul',
  summary: 'matrix product over the last two axes, broadcasting the others',
  arity: { min: 2, max: 2 },
  params: { scale: { type: 'float', default: 1.0, doc: 'multiplies the product, e.g. 1/√d for attention scores' } },
  infer([a, b], args, ctx) {
    if (a!.length === 1 && b!.length === 1) {
      return ctx.error('E0303', `matmul of two vectors ${formatShape(a!)} @ ${formatShape(b!)} would give one number per sample`, {
        input: 1,
        hint: 'reshape one side to a matrix ([1, K] or [K, 1]), or use mul and reduce_sum for a dot product',
      });
    }
    const left = a!.length === 1 ? [1, a![0]!] : [...a!];
    const right = b!.length === 1 ? [b![0]!, 1] : [...b!];
    const [m, k] = left.slice(-2) as [number, number];
    const [k2, n] = right.slice(-2) as [number, number];
    if (k !== k2) {
      return ctx.error('E0302', `matmul needs the left operand's last axis to equal the right operand's second-to-last: ${k} vs ${k2}`, {
        input: 1,
        notes: [`${formatShape(a!)} @ ${formatShape(b!)}: [.., M, K] @ [.., K, N] with K = ${k} on the left, ${k2} on the right`],
        hint: right.at(-1) === k ? `the right operand looks stored as [.., N, K]: transpose its last two axes first` : undefined,
      });
    }
    const batch = broadcast(left.slice(0, -2), right.slice(0, -2));
    if (!batch) {
      return ctx.error('E0302', `matmul leading axes do not broadcast: ${formatShape(a!.slice(0, -2))} vs ${formatShape(b!.slice(0, -2))}`, {
        input: 1,
        notes: ['leading axes, aligned from the right, must be equal or 1'],
      });
    }
    const pad = (s: number[]): number[] => [...Array(batch.length + 2 - s.length).fill(1), ...s];
    const shape = [...batch, ...(a!.length === 1 ? [] : [m]), ...(b!.length === 1 ? [] : [n])];
    return { attrs: { m, k, n, batch, lhs: pad(left), rhs: pad(right), scale: args.scale }, shape };
  },
  macs: (a) => a.m * a.k * a.n * product(a.batch),
  tfjs: (a, kit) => matmulTfjs(a, kit),
  onnx: (g) => matmulOnnx(g),
  pytorch: { forward: (g) => matmulTorch(g.attrs, g.inputs, g.inputShapes, g.shape) },
});

/**
 * torch.matmul broadcasts whole tensors, batch included, so operands of other ranks are reshaped
 * to [N, ...lhs] and [N, ...rhs] first (as in the ONNX lowering), and a vector's axis dropped after.
 */
function matmulTorch(a: MatmulAttrs, inputs: readonly string[], shapes: readonly (readonly number[])[], shape: readonly number[]): string {
  const fit = (i: number, target: readonly number[]) =>
    shapes[i]!.join() === target.join() ? inputs[i]! : `${inputs[i]}.reshape(${inputs[i]}.shape[0], ${target.join(', ')})`;
  let y = `torch.matmul(${fit(0, a.lhs)}, ${fit(1, a.rhs)})`;
  if ([...a.batch, a.m, a.n].join() !== shape.join()) y = `${y}.reshape(${inputs[0]}.shape[0], ${shape.join(', ')})`;
  return a.scale === 1 ? y : `${y} * ${a.scale}`;
}

/**
 * ONNX MatMul broadcasts whole tensors, batch included: operands are reshaped to [N, ...lhs] and
 * [N, ...rhs] (NumPy-promoted, padded with 1s) when they differ, and a vector's axis dropped after.
 * A scale multiplies the product afterwards, as torch's scaled_dot_product_attention does.
 */
const matmulOnnx: OnnxLowering<MatmulAttrs> = (g) => {
  const a = g.attrs;
  const fit = (i: number, target: readonly number[], as: string) =>
    g.inputShapes[i]!.join() === target.join()
      ? g.inputs[i]!
      : g.op('Reshape', [g.inputs[i]!, g.constant(`${as}_shape`, 'int64', [0, ...target])], {}, { shape: target, as });
  const full = [...a.batch, a.m, a.n];
  const raw = g.op('MatMul', [fit(0, a.lhs, 'lhs'), fit(1, a.rhs, 'rhs')], {}, { shape: full });
  const y = a.scale === 1 ? raw : g.op('Mul', [raw, g.constant('scale', 'float', [a.scale], [])], {}, { shape: full });
  return full.join() === g.shape.join() ? y : g.op('Reshape', [y, g.constant('shape', 'int64', [0, ...g.shape])]);
};

const matmulTfjs: TfjsLowering<MatmulAttrs> = (a, kit) => {
  const layer = kit.custom.matmul({ name: kit.name(), lhs: [...a.lhs], rhs: [...a.rhs], shape: [...kit.node.shape], scale: a.scale });
  return { output: kit.apply(layer, [kit.input(0, 'plain'), kit.input(1, 'plain')]), layout: 'plain' };
};
