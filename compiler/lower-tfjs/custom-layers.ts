// The custom layers a tfjs lowering may ask for through `kit.custom` (compiler/lower-tfjs/contract.ts),
// each with the arguments it takes: layers that tfjs-layers lacks (explicit asymmetric padding,
// PyTorch's pooling rules, grouped convolution, ...). runtime/layers/ implements every one and
// registers it with tfjs-layers' serialization, so a saved model.json names them. Types only.
import type * as tfl from '@tensorflow/tfjs-layers';
import type { LayerArgs } from '@tensorflow/tfjs-layers/dist/engine/topology.js';
import type { ScalarKind } from '../ops/scalar.js';
import type { Comparison } from '../ops/compare.js';

export type { LayerArgs };

export interface AdaptivePoolArgs extends LayerArgs {
  readonly kind: 'avg' | 'max';
  /** Output size per spatial axis; empty: floor(input size × scale) at run time (any input size). */
  readonly size: number[];
}

export interface ConvTransposeArgs extends LayerArgs {
  readonly filters: number;
  readonly kernel: number[];
  readonly stride: number[];
  readonly dilation: number[];
  readonly groups: number;
  readonly bias: boolean;
  readonly begin: number[];
  readonly end: number[];
  readonly outputPadding: number[];
}

export interface ConvArgs extends LayerArgs {
  readonly filters: number;
  readonly kernel: number[];
  readonly stride: number[];
  readonly dilation: number[];
  readonly groups: number;
  readonly bias: boolean;
  /** Zero padding per spatial axis (default none). */
  readonly begin?: number[];
  readonly end?: number[];
}

export type BinaryKind = 'sub' | 'div';

export type ActivationKind = 'hardswish' | 'hardsigmoid' | 'elu';

export interface GlobalPoolArgs extends LayerArgs {
  readonly kind: 'avg' | 'max';
}

export interface LrnArgs extends LayerArgs {
  readonly size: number;
  readonly alpha: number;
  readonly beta: number;
  readonly k: number;
  /** Channels in the window before and after each channel. */
  readonly before: number;
  readonly after: number;
}

export type PadMode = 'constant' | 'reflect' | 'edge';

export interface PadArgs extends LayerArgs {
  /** Per spatial axis, in tfjs order (the channel axis is never padded). */
  readonly begin: number[];
  readonly end: number[];
  readonly mode?: PadMode;
  /** The fill value of constant mode. */
  readonly value?: number;
}

export interface ConstantArgs extends LayerArgs {
  /** The per-sample shape, in the IR's order. */
  readonly shape: number[];
  /** Row-major values. */
  readonly values: number[];
}

export interface ParamArgs extends LayerArgs {
  /** The per-sample shape, in the IR's order. */
  readonly shape: number[];
}

export interface PoolArgs extends LayerArgs {
  readonly kind: 'max' | 'avg';
  readonly kernel: number[];
  readonly stride: number[];
  readonly begin: number[];
  readonly end: number[];
  /** Keep a last partial window (PyTorch ceil_mode). */
  readonly ceil?: boolean;
  /** Average: divide by the whole window, padding included. */
  readonly countPad?: boolean;
}

export interface PreprocessArgs extends LayerArgs {
  readonly kind: 'normalize' | 'rescale';
  readonly epsilon?: number;
  readonly scale?: number[];
  readonly offset?: number[];
}

export type ReduceKind = 'mean' | 'max' | 'sum';

export interface ReduceArgs extends LayerArgs {
  readonly kind: ReduceKind;
  readonly axes: number[];
  readonly keepdims: boolean;
}

export interface ResizeArgs extends LayerArgs {
  readonly mode: 'nearest' | 'bilinear';
  readonly alignCorners: boolean;
  /** Output size per spatial axis; empty: floor(input size × scale) at run time (any input size). */
  readonly size: number[];
  /** The coordinate scale per axis (as written, or out/in). */
  readonly scales: number[];
}

export interface ScalarArgs extends LayerArgs {
  readonly op: ScalarKind;
  readonly value: number;
}

export interface SliceArgs extends LayerArgs {
  /** tfjs axis (batch = 0). */
  readonly axis: number;
  readonly start: number;
  readonly end: number;
  /** A positive stride. */
  readonly step: number;
  /** Reverse the rows taken (a negative step in the IR). */
  readonly reverse?: boolean;
}

export interface GroupNormArgs extends LayerArgs {
  readonly groups: number;
  readonly epsilon: number;
  readonly affine: boolean;
}

export interface GatherArgs extends LayerArgs {
  /** tfjs axis (batch = 0). */
  readonly axis: number;
  readonly indices: number[];
  /** The indices are a non-trainable weight of this shape (holding `indices`), read at run time. */
  readonly stored?: number[];
}

export interface RollArgs extends LayerArgs {
  /** tfjs axis (batch = 0). */
  readonly axis: number;
  /** 0 ≤ shift < size. */
  readonly shift: number;
}

export interface MatmulArgs extends LayerArgs {
  /** Per-sample operand shapes after NumPy promotion, padded to the same rank. */
  readonly lhs: number[];
  readonly rhs: number[];
  /** The per-sample output shape. */
  readonly shape: number[];
  readonly scale: number;
}

export interface MaxUnpoolArgs extends LayerArgs {
  /** The non-overlapping 2-D window (height, width); the stride equals it. */
  readonly kernel: number[];
}

export interface CompareArgs extends LayerArgs {
  readonly op: Comparison;
  /** The number compared with (one input); absent for two tensors. */
  readonly value?: number;
}

/** Every custom layer by its factory name in `kit.custom`, with its arguments. */
export interface CustomLayerArgs {
  readonly pad: PadArgs;
  readonly pool: PoolArgs;
  readonly conv: ConvArgs;
  readonly convTranspose: ConvTransposeArgs;
  readonly globalPool: GlobalPoolArgs;
  readonly adaptivePool: AdaptivePoolArgs;
  readonly binary: LayerArgs & { kind: BinaryKind };
  readonly activation: LayerArgs & { kind: ActivationKind; alpha?: number };
  readonly reduce: ReduceArgs;
  readonly lrn: LrnArgs;
  readonly l2norm: LayerArgs & { axis: number; epsilon: number };
  readonly resize: ResizeArgs;
  readonly channelShuffle: LayerArgs & { groups: number };
  readonly slice: SliceArgs;
  readonly matmul: MatmulArgs;
  readonly classToken: LayerArgs;
  readonly posEmbed: LayerArgs;
  readonly param: ParamArgs;
  readonly constant: ConstantArgs;
  readonly scalar: ScalarArgs;
  readonly preprocess: PreprocessArgs;
  readonly groupNorm: GroupNormArgs;
  readonly gather: GatherArgs;
  readonly roll: RollArgs;
  readonly maxUnpool: MaxUnpoolArgs;
  readonly compare: CompareArgs;
  readonly where: LayerArgs;
}

/** What runtime/layers/index.ts provides: one factory per custom layer. */
export type CustomLayers = { readonly [K in keyof CustomLayerArgs]: (args: CustomLayerArgs[K]) => tfl.layers.Layer };
