// dropout: zeroes a fraction `rate` of activations while training (inverted scaling); identity at
// inference, so it is dropped from ONNX exports.
import { defineOp } from './op.js';
import type { TfjsLowering } from '../lower-tfjs/contract.js';
import { pyFloat } from '../lower-pytorch/lowering.js';

export interface DropoutAttrs {
  readonly rate: number;
}

export const dropout = defineOp({
  kind: 'dropout',
  summary: 'random zeroing while training; identity at inference',
  arity: { min: 1, max: 1 },
  params: { rate: { type: 'float', default: 0.5, doc: 'drop probability in [0, 1)' } },
  infer([x], args, ctx) {
    const rate = args.rate;
    if (!(rate >= 0 && rate < 1)) {
      return ctx.error('E0305', `dropout rate must be in [0, 1), got ${rate}`, {
        arg: 'rate',
        hint: Number.isInteger(rate) && rate >= 1 && rate < 100 ? `rate is a probability: did you mean ${rate / 100}?` : 'rate is the probability of dropping a unit, in [0, 1)',
      });
    }
    return { attrs: { rate }, shape: x! };
  },
  tfjs: (a, kit) => dropoutTfjs(a, kit),
  onnx: (g) => g.inputs[0]!,
  // Active in train() mode only, as in archc's training; eval() mode is the identity.
  pytorch: { module: (a) => `nn.Dropout(${pyFloat(a.rate)})`, forward: (g) => `F.dropout(${g.inputs[0]}, ${pyFloat(g.attrs.rate)}, self.training)` },
});

/** tfjs Dropout (inverted scaling while training, identity in predict). */
const dropoutTfjs: TfjsLowering<DropoutAttrs> = (a, kit) => ({ output: kit.apply(kit.layers.dropout({ name: kit.name(), rate: a.rate }), kit.input(0, 'as-is')), layout: kit.layoutOf(0) });
