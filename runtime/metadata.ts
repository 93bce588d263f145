// What archc records in a lowered model's user-defined metadata (saved inside model.json): the
// layout of each input and output, and where every IR weight lives among the tfjs variables, so
// that weights can be read back in IR layout from a model reloaded with tf.loadLayersModel.
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { Shape } from '../compiler/ir.js';
import type { Preprocessing } from './persist/training-info.js';

export const METADATA_FORMAT = 'archc-tfjs-1';

/** A model input or output: its IR shape (NCHW, per sample) and how tfjs holds it. */
export interface TensorIo {
  readonly name: string;
  readonly shape: Shape;
  /** `cl`: channels last (NHWC for images); `plain`: the IR order. */
  readonly layout: 'cl' | 'plain';
  /** The per-sample shape tfjs expects or returns (batch excluded). */
  readonly tfjsShape: readonly number[];
}

/** One IR weight bound to one tfjs layer variable. */
export interface BoundWeight {
  /** `<node>.<weight>`, as in safetensors and ONNX initializers. */
  readonly name: string;
  readonly shape: readonly number[];
  readonly role: 'learnable' | 'buffer';
  readonly layer: string;
  /** Position in the layer's `weights` list. */
  readonly index: number;
  readonly view?: readonly number[];
  readonly permute?: readonly number[];
}

export interface ArchcMetadata {
  readonly format: typeof METADATA_FORMAT;
  readonly model: string;
  readonly inputs: readonly TensorIo[];
  readonly outputs: readonly TensorIo[];
  readonly weights: readonly BoundWeight[];
  /** In a model saved by `archc train`: its classes, input size and normalization. */
  readonly preprocessing?: Preprocessing;
}

/** archc's metadata of a model built (or reloaded) by archc; undefined for other models. */
export function metadataOf(model: LayersModel): ArchcMetadata | undefined {
  const meta = model.getUserDefinedMetadata() as { archc?: ArchcMetadata } | undefined;
  return meta?.archc?.format === METADATA_FORMAT ? meta.archc : undefined;
}
