// Named float32 weight tensors, and the list of weights a compiled graph declares. Shared by the
// ONNX export, the safetensors reader/writer and the tfjs runtime.
import type { IrGraph, IrNode, Shape } from '../ir.js';
import { elementCount } from '../ir.js';
import type { WeightSpec } from '../ops/op.js';
import { lookupOp } from '../ops/registry.js';

export interface WeightTensor {
  readonly shape: Shape;
  readonly data: Float32Array;
}

/** Weights by their full name, `<node>.<weight>` (e.g. `layer1.bottleneck1.conv1.weight`). */
export type Weights = ReadonlyMap<string, WeightTensor>;

export interface DeclaredWeight {
  /** `<node>.<weight>`. */
  readonly name: string;
  readonly spec: WeightSpec;
  readonly node: IrNode;
}

/** Every weight the graph's ops declare, in graph order. */
export function declaredWeights(graph: IrGraph): DeclaredWeight[] {
  const out: DeclaredWeight[] = [];
  for (const node of graph.nodes) {
    const op = lookupOp(node.op);
    const inputs = node.inputs.map((i) => graph.nodes[i]!.shape);
    for (const spec of op?.weights?.(node.attrs, inputs) ?? []) {
      out.push({ name: weightName(node, spec.name), spec, node });
    }
  }
  return out;
}

/**
 * A weight's full name, as PyTorch's state_dict spells it: `<node>.<weight>` (`layer1.0.conv1.weight`).
 * A weight named '' is the node's own (a `param`, class token or position embedding is named like
 * torch's bare parameters); a node whose name ends in `_` joins without the dot (`in_proj_` →
 * `in_proj_weight`, as nn.MultiheadAttention's packed projection).
 */
export function weightName(node: IrNode, short: string): string {
  if (short === '') return node.name;
  return node.name.endsWith('_') ? node.name + short : `${node.name}.${short}`;
}

/** Total bytes of float32 data. */
export const weightBytes = (weights: Weights): number => {
  let bytes = 0;
  for (const w of weights.values()) bytes += w.data.byteLength;
  return bytes;
};

export const sameShape = (a: Shape, b: Shape): boolean => a.length === b.length && a.every((d, i) => d === b[i]);

export const tensorSize = elementCount;

/** Whether this machine stores floats little-endian, as ONNX raw_data and safetensors require. */
export const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** The little-endian bytes of a float32 array: a view on little-endian machines, else a copy. */
export function littleEndianBytes(data: Float32Array): Uint8Array {
  const view = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (LITTLE_ENDIAN) return view;
  const out = new Uint8Array(view.length);
  for (let i = 0; i < view.length; i += 4) {
    out[i] = view[i + 3]!;
    out[i + 1] = view[i + 2]!;
    out[i + 2] = view[i + 1]!;
    out[i + 3] = view[i]!;
  }
  return out;
}

/** float32 values from little-endian bytes at any alignment (always a copy). */
export function floatsFromLittleEndian(bytes: Uint8Array): Float32Array {
  const length = Math.floor(bytes.length / 4);
  if (LITTLE_ENDIAN) {
    // Copying the bytes aligns them (a tensor inside a protobuf file rarely is): far faster than
    // reading the floats one by one.
    if (bytes.byteOffset % 4 === 0) return new Float32Array(bytes.buffer, bytes.byteOffset, length).slice();
    return new Float32Array(new Uint8Array(bytes.subarray(0, length * 4)).buffer);
  }
  const out = new Float32Array(length);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}
