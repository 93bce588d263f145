// Constant folding: a node whose inputs are all known before run time (initializers, Constant
// nodes, shape arithmetic without the batch) is computed here, so that what reaches the rules is
// either a tensor from the model's input or a constant. Exporters write such chains for values
// that depend only on static sizes: attention's scale 1/√(head dim) as Shape → Slice → Cast → Sqrt
// → Div → Sqrt, an unflatten's axis as Mod(2, 3), an Expand target through ConstantOfShape →
// Equal → Where. Element-wise ops broadcast as ONNX (and NumPy) do.
import type { ConstTensor, OnnxNode } from '../onnx-read.js';

type Num = (a: number, b: number) => number;

const BINARY: Record<string, Num> = {
  Add: (a, b) => a + b,
  Sub: (a, b) => a - b,
  Mul: (a, b) => a * b,
  Pow: (a, b) => a ** b,
  Max: (a, b) => Math.max(a, b),
  Min: (a, b) => Math.min(a, b),
  Equal: (a, b) => (a === b ? 1 : 0),
  Less: (a, b) => (a < b ? 1 : 0),
  Greater: (a, b) => (a > b ? 1 : 0),
  LessOrEqual: (a, b) => (a <= b ? 1 : 0),
  GreaterOrEqual: (a, b) => (a >= b ? 1 : 0),
  And: (a, b) => (a && b ? 1 : 0),
  Or: (a, b) => (a || b ? 1 : 0),
};

const UNARY: Record<string, (a: number) => number> = {
  Sqrt: Math.sqrt,
  Neg: (a) => -a,
  Abs: Math.abs,
  Reciprocal: (a) => 1 / a,
  Floor: Math.floor,
  Ceil: Math.ceil,
  Exp: Math.exp,
  Log: Math.log,
  Not: (a) => (a ? 0 : 1),
};

/** Comparisons give booleans, stored here as integers 0 and 1. */
const BOOLEAN = new Set(['Equal', 'Less', 'Greater', 'LessOrEqual', 'GreaterOrEqual', 'And', 'Or', 'Not']);

/** Op types folding may compute (also the ones that only exist for constants). */
export const FOLDABLE = new Set([...Object.keys(BINARY), ...Object.keys(UNARY), 'Div', 'Mod', 'Where', 'ConstantOfShape', 'Range', 'Cast', 'Expand']);

/** ONNX TensorProto element types that are integers or booleans. */
const INT_TYPES = new Set([2, 3, 4, 5, 6, 7, 9, 12, 13]);

const count = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

function make(shape: readonly number[], type: 'float' | 'int', values: ArrayLike<number>, name: string): ConstTensor {
  return type === 'float' ? { shape, type, data: Float32Array.from(values), name } : { shape, type, data: Array.from(values), name };
}

/** Values of each input broadcast to one shape, and that shape. */
function broadcast(inputs: readonly ConstTensor[]): { shape: number[]; at: (t: number, i: number) => number } | undefined {
  const rank = Math.max(...inputs.map((t) => t.shape.length));
  const shape: number[] = [];
  for (let d = 0; d < rank; d++) {
    const sizes = inputs.map((t) => t.shape[t.shape.length - rank + d] ?? 1);
    const big = Math.max(...sizes);
    if (sizes.some((s) => s !== 1 && s !== big)) return undefined;
    shape.push(big);
  }
  const strides = inputs.map((t) => {
    const padded = [...new Array<number>(rank - t.shape.length).fill(1), ...t.shape];
    let step = 1;
    const s = new Array<number>(rank).fill(0);
    for (let d = rank - 1; d >= 0; d--) {
      s[d] = padded[d] === 1 ? 0 : step;
      step *= padded[d]!;
    }
    return s;
  });
  return {
    shape,
    at(t, i) {
      let offset = 0;
      for (let d = rank - 1; d >= 0; d--) {
        offset += (i % shape[d]!) * strides[t]![d]!;
        i = Math.floor(i / shape[d]!);
      }
      return inputs[t]!.data[offset]!;
    },
  };
}

function elementwise(inputs: readonly ConstTensor[], type: 'float' | 'int', f: (values: number[]) => number, name: string): ConstTensor | undefined {
  const b = broadcast(inputs);
  if (!b) return undefined;
  const n = count(b.shape);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) out[i] = f(inputs.map((_, t) => b.at(t, i)));
  return make(b.shape, type, out, name);
}

/**
 * The node's outputs computed from constant inputs, or undefined when this op is not folded (the
 * rules then see it). `attr` reads the node's attributes.
 */
export function foldNode(node: OnnxNode, inputs: readonly (ConstTensor | undefined)[]): ConstTensor[] | undefined {
  const name = node.outputs[0] ?? node.name;
  const present = inputs.filter((t): t is ConstTensor => t !== undefined);
  const allInt = present.every((t) => t.type === 'int');
  const type = allInt ? 'int' : 'float';
  const op = node.op;
  let out: ConstTensor | undefined;
  if (BINARY[op] && present.length === 2) {
    const f = BINARY[op]!;
    out = elementwise(present, BOOLEAN.has(op) ? 'int' : type, ([a, b]) => f(a!, b!), name);
  } else if (UNARY[op] && present.length === 1) {
    const f = UNARY[op]!;
    out = elementwise(present, BOOLEAN.has(op) ? 'int' : op === 'Sqrt' || op === 'Exp' || op === 'Log' || op === 'Reciprocal' ? 'float' : type, ([a]) => f(a!), name);
  } else if (op === 'Div' && present.length === 2) {
    out = elementwise(present, type, ([a, b]) => (allInt ? Math.trunc(a! / b!) : a! / b!), name);
  } else if (op === 'Mod' && present.length === 2) {
    // fmod=0 (integers): the sign of the divisor, as Python's %; fmod=1: C's fmod.
    const fmod = node.attrs.get('fmod') === 1;
    out = elementwise(present, type, ([a, b]) => (fmod ? a! % b! : ((a! % b!) + b!) % b!), name);
  } else if (op === 'Where' && present.length === 3) {
    out = elementwise(present, present[1]!.type === 'int' && present[2]!.type === 'int' ? 'int' : 'float', ([c, a, b]) => (c ? a! : b!), name);
  } else if (op === 'Cast' && present.length === 1) {
    const to = node.attrs.get('to');
    const toInt = typeof to === 'number' && INT_TYPES.has(to);
    const t = present[0]!;
    if (!toInt && t.type === 'float') return [{ ...t, name }];
    out = make(t.shape, toInt ? 'int' : 'float', toInt ? Array.from(t.data, (v) => (to === 9 ? (v ? 1 : 0) : Math.trunc(v))) : t.data, name);
  } else if (op === 'ConstantOfShape' && present.length === 1) {
    const shape = Array.from(present[0]!.data);
    const value = node.attrs.get('value');
    const fill = value && typeof value === 'object' && 'data' in value ? value : undefined;
    out = make(shape, fill?.type ?? 'float', new Array<number>(count(shape)).fill(fill?.data[0] ?? 0), name);
  } else if (op === 'Expand' && present.length === 2) {
    // Broadcast to the given shape (both ways, as ONNX's Expand does).
    const to = Array.from(present[1]!.data);
    out = elementwise([present[0]!, make(to, 'int', new Array<number>(count(to)).fill(0), '')], present[0]!.type, ([a]) => a!, name);
  } else if (op === 'Range' && present.length === 3) {
    const [start, limit, delta] = present.map((t) => t.data[0]!);
    const n = Math.max(0, Math.ceil((limit! - start!) / delta!));
    out = make([n], type, Array.from({ length: n }, (_, i) => start! + i * delta!), name);
  }
  return out && [{ ...out, folded: true }];
}
