// lrn: local response normalization across channels (AlexNet), PyTorch LocalResponseNorm semantics:
// b_c = a_c / (k + alpha/size · Σ a_j²)^beta, j from c − floor(size/2) to c + floor((size−1)/2),
// channels outside [0, C) counting as zero. ONNX LRN also divides alpha by size; TF's does not.
import { defineOp } from './op.js';
import type { OnnxLowering } from '../lower-onnx/lowering.js';
import type { TfjsLowering } from '../lower-tfjs/contract.js';
import { pyFloat } from '../lower-pytorch/lowering.js';

export interface LrnAttrs {
  readonly size: number;
  /** As written: the sum of squares is scaled by alpha / size. */
  readonly alpha: number;
  readonly beta: number;
  readonly k: number;
  /** Neighbouring channels in the window before and after c (they differ for an even size). */
  readonly before: number;
  readonly after: number;
}

export const lrn = defineOp({
  kind: 'lrn',
  summary: 'local response normalization across neighbouring channels',
  arity: { min: 1, max: 1 },
  params: {
    size: { type: 'int', default: 5, doc: 'channels in the window' },
    alpha: { type: 'float', default: 1e-4 },
    beta: { type: 'float', default: 0.75 },
    k: { type: 'float', default: 1.0 },
  },
  infer([x], args, ctx) {
    const size = args.size;
    const [alpha, beta, k] = [args.alpha, args.beta, args.k];
    if (x!.length < 2) {
      return ctx.error('E0303', `lrn needs channels and at least one more axis ([C, L], [C, H, W], ...), got [${x!.join(', ')}]`, {
        input: 0,
        hint: 'PyTorch LocalResponseNorm rejects [N, C] inputs too; apply it before flattening',
      });
    }
    if (size < 1) return ctx.error('E0305', `lrn size must be at least 1, got ${size}`, { arg: 'size', hint: 'AlexNet normalizes over 5 channels' });
    if (alpha < 0 || beta < 0) {
      const arg = alpha < 0 ? 'alpha' : 'beta';
      return ctx.error('E0305', `lrn ${arg} must not be negative, got ${args[arg]}`, { arg });
    }
    if (!(k > 0)) return ctx.error('E0305', `lrn k must be positive (it keeps the divisor away from 0), got ${k}`, { arg: 'k' });
    if (size % 2 === 0) {
      ctx.warn('W0106', `lrn with an even size (${size}) has an off-centre window: ${size / 2} channels before, ${size / 2 - 1} after`, {
        arg: 'size',
        notes: ['PyTorch puts the extra channel before c; ONNX LRN puts it after, and TF needs a symmetric window'],
        hint: `use an odd size such as ${size + 1} to export exactly`,
      });
    }
    const attrs = { size, alpha, beta, k, before: Math.floor(size / 2), after: Math.floor((size - 1) / 2) };
    return { attrs, shape: x! };
  },
  tfjs: (a, kit) => lrnTfjs(a, kit),
  onnx: (g) => lrnOnnx(g),
  pytorch: {
    module: (a) => `nn.LocalResponseNorm(${a.size}, ${pyFloat(a.alpha)}, ${pyFloat(a.beta)}, ${pyFloat(a.k)})`,
    forward: (g) => `F.local_response_norm(${g.inputs[0]}, ${g.attrs.size}, ${pyFloat(g.attrs.alpha)}, ${pyFloat(g.attrs.beta)}, ${pyFloat(g.attrs.k)})`,
  },
});

/**
 * ONNX LRN for odd sizes on [N, C, H, W] (onnxruntime's LRN is 4-D only). Otherwise PyTorch's own
 * formulation: the squares averaged over a channel window by AveragePool with the window's exact
 * before/after padding (an even size is off-centre, which LRN cannot say).
 */
const lrnOnnx: OnnxLowering<LrnAttrs> = (g) => {
  const a = g.attrs;
  const x = g.inputs[0]!;
  if (a.size % 2 === 1 && g.shape.length === 3) {
    return g.op('LRN', [x], { size: a.size, alpha: { float: a.alpha }, beta: { float: a.beta }, bias: { float: a.k } });
  }
  const [channels, ...rest] = g.shape;
  const plane = [1, channels!, rest.reduce((p, d) => p * d, 1)];
  const squares = g.op('Mul', [x, x], {}, { as: 'square' });
  const stacked = g.op('Reshape', [squares, g.constant('plane', 'int64', [0, ...plane])], {}, { shape: plane });
  const window = { kernel_shape: [a.size, 1], pads: [a.before, 0, a.after, 0], count_include_pad: 1 };
  const mean = g.op('AveragePool', [stacked], window, { shape: plane });
  const sums = g.op('Reshape', [mean, g.constant('shape', 'int64', [0, ...g.shape])], {}, { as: 'mean' });
  const scalar = (as: string, v: number) => g.constant(as, 'float', [v], []);
  const base = g.op('Add', [g.op('Mul', [sums, scalar('alpha', a.alpha)]), scalar('k', a.k)]);
  return g.op('Div', [x, g.op('Pow', [base, scalar('beta', a.beta)])]);
};

/** ArchcLrn across the channels (last in tfjs). */
const lrnTfjs: TfjsLowering<LrnAttrs> = (a, kit) => ({ output: kit.apply(kit.custom.lrn({ name: kit.name(), ...a }), kit.input(0, 'cl')), layout: 'cl' });
