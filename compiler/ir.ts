// The IR: a flat graph of primitive op nodes, in topological order. Shapes exclude the batch
// dimension, which is symbolic (`N`) everywhere; tensors are logically NCHW.
import type { Span } from '../dsl/source.js';
import type { SizeVariable } from './symbolic/shapes.js';
import type { Args } from './ops/op.js';

/** A per-sample shape: [C, H, W] for images, [C] after flatten, [T, D] for token sequences. */
export type Shape = readonly number[];

export interface IrNode {
  readonly id: number;
  /** Dotted, unique path such as `layer3.1.conv1`; weights are `<name>.<weight>`. */
  readonly name: string;
  /** The registry key of the primitive op, or `input`. */
  readonly op: string;
  readonly inputs: readonly number[];
  /** The op's resolved, typed attributes (see its file under compiler/ops). */
  readonly attrs: unknown;
  /** The checked arguments the attributes were resolved from (defaults filled in). */
  readonly args: Args;
  /** The arguments the user wrote out, as opposed to defaults. */
  readonly written: readonly string[];
  readonly shape: Shape;
  /** The op call in the source. */
  readonly span: Span;
  /** The block call sites that led here, innermost first. */
  readonly callStack: readonly Span[];
  /** The block calls that led here, innermost first (parallel to callStack): code generators use them. */
  readonly blocks?: readonly BlockCall[];
  readonly frozen: boolean;
  /**
   * Integer arguments read from tensor axes (`upsample(size=[x.height, x.width])`), per list item:
   * the node and axis each came from. The size analysis follows those axes (compiler/symbolic).
   */
  readonly argDims?: Readonly<Record<string, readonly ({ readonly node: number; readonly axis: number } | undefined)[]>>;
}

/** One block call: the block's name, the scope path its nodes are named under, its number arguments. */
export interface BlockCall {
  readonly block: string;
  /** Undefined for a call with name="" (its layers are named in the caller's scope). */
  readonly path: string | undefined;
  readonly args: Readonly<Record<string, number>>;
}

export interface IrGraph {
  readonly model: string;
  readonly file: string;
  readonly nodes: readonly IrNode[];
  readonly inputs: readonly { name: string; node: number }[];
  readonly outputs: readonly { name: string; node: number }[];
  /** Size variables named by the inputs (`input image: [3, H, W]`), at the sizes the graph was built with. */
  readonly sizes?: readonly SizeVariable[];
  /** The model's number parameters (`classes`, ...) as compiled: defaults or overrides. */
  readonly params?: Readonly<Record<string, number>>;
}

export const elementCount = (shape: Shape): number => shape.reduce((a, b) => a * b, 1);

export const formatShape = (shape: Shape): string => `[${shape.join(', ')}]`;
