// The tfjs lowering contract, beside the ONNX one (compiler/lower-onnx/lowering.ts): what an op
// file's `tfjs` field receives and returns. runtime/build.ts implements the kit, runtime/layers/ the
// custom layers (custom-layers.ts). Types only: the compiler never loads TensorFlow.js, and nothing
// in compiler/ imports runtime/.
import type * as tfc from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { IrNode, Shape } from '../ir.js';
import type { CustomLayers } from './custom-layers.js';

/**
 * How a tensor of IR shape [C, ...spatial] or [T, D] is stored in tfjs (batch first in both):
 * - `cl`: channels last, [...spatial, C]: images, feature maps and 1-D signals;
 * - `plain`: the IR order itself: token sequences, vectors, anything reshaped;
 * - `flat-cl`: a vector flattened from a `cl` tensor, so in H, W, C order rather than the IR's
 *   C, H, W. Only ops that say so see it (dense reorders its weights; activations pass it on);
 *   every other op receives it converted to `plain`.
 */
export type Layout = 'cl' | 'plain' | 'flat-cl';

/** What an op file declares to run on TensorFlow.js: adds the layers of one node (inputs from `kit`). */
export type TfjsLowering<A> = (attrs: A, kit: LowerKit) => Lowered;

export interface Lowered {
  readonly output: tfl.SymbolicTensor;
  readonly layout: Layout;
  /** For `flat-cl`: the IR shape flattened (default: that of the first `flat-cl` input). */
  readonly flatFrom?: Shape;
}

/**
 * Where an IR weight goes in a tfjs layer's weight list, and how its layout changes on the way:
 * the IR tensor is reshaped to `view` (default: its own shape), permuted by `permute` (default:
 * none), then reshaped to the layer variable's shape. Saving runs the same steps backwards.
 */
export interface WeightBinding {
  /** The weight's name within the node: `weight`, `bias`, `running_mean`, ... */
  readonly ir: string;
  readonly view?: readonly number[];
  readonly permute?: readonly number[];
}

/**
 * Accepted by `kit.input`: `cl` or `plain`; `any`: either, as the tensor is (a `flat-cl` one comes
 * as `plain`); `as-is`: even `flat-cl` (ops that do not care about the order of a vector's elements).
 */
export type LayoutRequest = 'cl' | 'plain' | 'any' | 'as-is';

/** The pads and window of a windowed op, as its attributes give them (compiler/ops/spatial.ts). */
export interface WindowSpec {
  readonly pads: { readonly begin: readonly number[]; readonly end: readonly number[] };
  readonly kernel: readonly number[];
  readonly stride: readonly number[];
  readonly dilation: readonly number[];
}

export interface LowerKit {
  readonly node: IrNode;
  /** IR (per-sample, NCHW) shapes of the inputs. */
  readonly inputShapes: readonly Shape[];
  readonly tf: typeof tfc;
  readonly layers: typeof tfl.layers;
  readonly custom: CustomLayers;
  /** Input `i` in the requested layout (conversions are inserted and shared). */
  input(i: number, layout: LayoutRequest): tfl.SymbolicTensor;
  /** The layout `input(i, request)` gives (by default: the layout input `i` has now). */
  layoutOf(i: number, request?: LayoutRequest): Layout;
  /** Whether these pads are exactly what tfjs's "same" padding gives input `i`. */
  isSame(i: number, window: WindowSpec): boolean;
  /**
   * Whether input `i` is computed from the model's inputs without weights, so that training never
   * needs its gradient (a model's first convolution can then skip computing it).
   */
  weightFree(i: number): boolean;
  /** A model input, for layers without inputs (`param`) that need only the batch size. */
  anchor(): tfl.SymbolicTensor;
  /** For a `flat-cl` input: the IR shape [C, ...spatial] it was flattened from. */
  flatSource(i: number): Shape | undefined;
  /**
   * Every input in one common layout: `cl` when same-rank inputs include an image, else `plain`;
   * `flat-cl` when `flat` allows it and all inputs are flattened from the same shape.
   */
  common(options?: { readonly flat?: boolean }): { readonly inputs: tfl.SymbolicTensor[]; readonly layout: Layout };
  /**
   * Input `i`, channels last, ready for a windowed tfjs layer: `same` when the pads are exactly
   * tfjs's "same" (and `same` is allowed), else `valid` after an ArchcPad filled with `value`.
   */
  padded(i: number, window: WindowSpec, options?: { readonly same?: boolean; readonly value?: number }): {
    readonly x: tfl.SymbolicTensor;
    readonly padding: 'same' | 'valid';
  };
  /** The tfjs axis (batch = 0) of IR axis `axis` of a rank-`rank` tensor stored in `layout`. */
  axis(axis: number, rank: number, layout: Layout): number;
  /** A layer name for this node; helper layers get a suffix (`conv1-pad`). */
  name(suffix?: string): string;
  /**
   * Applies `layer` to `x`, marks it frozen when the node is, and binds the node's IR weights to
   * the layer's weights, in the layer's weight order.
   */
  apply(layer: tfl.layers.Layer, x: tfl.SymbolicTensor | tfl.SymbolicTensor[], weights?: readonly WeightBinding[]): tfl.SymbolicTensor;
}
