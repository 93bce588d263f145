// The contract between an op file and the ONNX lowering: an op's `onnx` field receives a context
// that emits standard-domain ONNX nodes and returns the tensor holding the op's result. Types only,
// so that op files can import it without creating a cycle with the lowering itself.
import type { Shape } from '../ir.js';

/**
 * An attribute value. A plain number is an INT and must be an integer, a list of numbers is INTS,
 * a string is STRING; floats are written `{ float: x }` / `{ floats: [...] }`, because ONNX is
 * strict about the difference (`Elu alpha = 1.0` must be a FLOAT).
 */
export type OnnxAttributeValue =
  | number
  | readonly number[]
  | string
  | { readonly float: number }
  | { readonly floats: readonly number[] };

export type OnnxAttributes = Readonly<Record<string, OnnxAttributeValue>>;

/** The element types a lowering can create constants of. */
export type OnnxConstantType = 'float' | 'int64';

export interface OnnxOutput {
  /** The output's per-sample shape (the batch axis `N` is put in front); default: the op's shape. */
  readonly shape?: Shape;
  /** A tensor without the batch axis (a transposed weight, a constant): its whole shape. */
  readonly fixedShape?: Shape;
  /** A short word for the tensor's name (`<node>/<word>`); default: the ONNX op type. */
  readonly as?: string;
  /** The element type, when not float (`Shape` gives int64, comparisons bool). */
  readonly type?: OnnxConstantType | 'bool';
  /**
   * Which of the node's outputs is returned (default 0): MaxPool's indices are output 1. The
   * outputs before it are named too and typed float with the same shape (MaxPool's values).
   */
  readonly index?: number;
}

export interface OnnxLoweringContext<A> {
  /** The op's typed attributes, as its `infer` returned them. */
  readonly attrs: A;
  /** The IR node's dotted name. */
  readonly name: string;
  /** The ONNX tensors holding the op's inputs, in order. */
  readonly inputs: readonly string[];
  /** The inputs' per-sample shapes (no batch axis). */
  readonly inputShapes: readonly Shape[];
  /** The op's per-sample output shape. */
  readonly shape: Shape;
  /** A model input's tensor and its per-sample rank, for ops without inputs that need the batch size. */
  readonly anchor: { readonly tensor: string; readonly rank: number };
  /** The opset being targeted (see SUPPORTED_OPSETS in lower.ts). */
  readonly opset: number;
  /** The initializer holding one of the op's declared weights (`weight` → `<node>.weight`). */
  weight(name: string): string;
  /** Emits one node and returns its (first) output tensor. */
  op(type: string, inputs: readonly string[], attributes?: OnnxAttributes, output?: OnnxOutput): string;
  /** A constant tensor (a `Constant` node, so that initializers hold exactly the model's weights). */
  constant(as: string, type: OnnxConstantType, values: readonly number[], dims?: readonly number[]): string;
  /**
   * Says that these attributes have no faithful standard form; the export is refused with this
   * message, located at the op, before any file is written. Returns a placeholder tensor.
   */
  unsupported(message: string, hint?: string): string;
}

/**
 * Lowers one op: emit nodes through the context and return the tensor holding the result (which may
 * be an input, for ops that are the identity at inference such as dropout).
 */
export type OnnxLowering<A> = (ctx: OnnxLoweringContext<A>) => string;
