// Element-wise activations without weights: one op each, sharing one shape rule (shape unchanged).
// prelu (learnable slopes) and softmax (an axis) have files of their own.
import { defineOp, type OpDef, type ParamSpec } from './op.js';

export interface ActivationAttrs {
  /** leaky_relu's negative slope, elu's and selu's alpha; unused by the others. */
  readonly alpha?: number;
}

function activation(kind: string, summary: string, alpha?: ParamSpec): OpDef<ActivationAttrs> {
  return defineOp<ActivationAttrs>({
    kind,
    summary,
    arity: { min: 1, max: 1 },
    params: alpha ? { alpha } : {},
    infer: ([x], args) => ({ attrs: alpha ? { alpha: args['alpha'] as number } : {}, shape: x! }),
  });
}

export const relu = activation('relu', 'max(x, 0)');
export const relu6 = activation('relu6', 'min(max(x, 0), 6)');
export const leaky_relu = activation('leaky_relu', 'x if x > 0 else alpha·x', { type: 'float', default: 0.01 });
export const elu = activation('elu', 'x if x > 0 else alpha·(exp(x) − 1)', { type: 'float', default: 1.0 });
export const selu = activation('selu', 'scale·elu(x, alpha) with the self-normalizing constants');
export const gelu = activation('gelu', 'x·Φ(x) (exact, erf form)');
export const silu = activation('silu', 'x·sigmoid(x), also called swish');
export const swish = activation('swish', 'x·sigmoid(x), the same as silu');
export const hardswish = activation('hardswish', 'x·relu6(x + 3)/6 (MobileNetV3)');
export const hardsigmoid = activation('hardsigmoid', 'relu6(x + 3)/6 (MobileNetV3, PyTorch slope 1/6)');
export const sigmoid = activation('sigmoid', '1 / (1 + exp(−x))');
export const tanh = activation('tanh', 'hyperbolic tangent');
export const identity = activation('identity', 'x unchanged');
