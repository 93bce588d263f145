// flatten: [C, H, W] → [C·H·W] in C, H, W order (PyTorch's order; the tfjs lowering reorders the
// following dense layer's weights so both targets compute the same function).
import { defineOp } from './op.js';
import { product } from './spatial.js';

export type FlattenAttrs = Record<string, never>;

export const flatten = defineOp<FlattenAttrs>({
  kind: 'flatten',
  summary: 'collapse all per-sample axes into one',
  arity: { min: 1, max: 1 },
  params: {},
  infer: ([x]) => ({ attrs: {}, shape: [product(x!)] }),
  onnx: (g) => g.op('Flatten', [g.inputs[0]!], { axis: 1 }),
});
