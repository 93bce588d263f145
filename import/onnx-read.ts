// Reads an ONNX file into a small, checked form the importer works on: nodes in topological order
// with plain attribute values, constant tensors (initializers and Constant nodes) by name, the
// graph's inputs with their declared dims, and what produced the file. Every problem with the file
// itself (not protobuf, truncated, external data missing, a cycle, an input nothing produces) is one
// message; nothing here throws for a bad file.
import onnxProto from 'onnx-proto';
import { floatsFromLittleEndian, LITTLE_ENDIAN } from '../compiler/weights/tensor.js';

const { onnx } = onnxProto;
type TensorProto = onnxProto.onnx.ITensorProto;
type AttributeProto = onnxProto.onnx.IAttributeProto;

/** A constant tensor: float32 data (weights) or integers (shapes, axes, pads). */
export interface ConstTensor {
  readonly shape: readonly number[];
  readonly type: 'float' | 'int';
  readonly data: Float32Array | readonly number[];
  /** The initializer or Constant output it came from. */
  readonly name: string;
  /** Computed by the importer from other constants (rules/fold.ts), not stored in the file. */
  readonly folded?: boolean;
  /** A Constant node's value: fixed by the graph, never a learned weight (those are initializers). */
  readonly fixed?: boolean;
}

export type AttrValue = number | string | readonly number[] | ConstTensor;

export interface OnnxNode {
  readonly name: string;
  readonly op: string;
  readonly domain: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attrs: ReadonlyMap<string, AttrValue>;
}

/** A dimension: a number, or a symbolic name (`N`, `batch`, `height`). */
export type Dim = number | string;

export interface OnnxModel {
  readonly producer: string;
  readonly irVersion: number;
  readonly opset: number;
  readonly graphName: string;
  readonly inputs: readonly { readonly name: string; readonly dims: readonly Dim[] }[];
  readonly outputs: readonly string[];
  readonly nodes: readonly OnnxNode[];
  readonly constants: ReadonlyMap<string, ConstTensor>;
  /** Initializer names in file order (the learnable weights, usually). */
  readonly initializers: readonly string[];
}

export type ReadResult = { readonly ok: true; readonly model: OnnxModel } | { readonly ok: false; readonly error: string };

/** Reads an external-data file named by a tensor (relative to the model's folder). */
export type ExternalReader = (location: string) => Uint8Array | { error: string };

/**
 * `reuse`: the caller hands the buffer over, and unaligned float tensors are moved in place (by at
 * most 3 bytes, over their own already-decoded protobuf header) instead of copied, so the weights
 * cost no memory beyond the file itself.
 */
export function readOnnx(bytes: Uint8Array, readExternal: ExternalReader = () => ({ error: 'external data is not available' }), reuse = false): ReadResult {
  let proto: onnxProto.onnx.ModelProto;
  try {
    proto = onnx.ModelProto.decode(bytes);
  } catch (e) {
    const reason = (e as Error).message.replace(/^index out of range.*/, 'the file ends in the middle of a message (truncated?)');
    return { ok: false, error: `not a readable ONNX model: ${reason}` };
  }
  const graph = proto.graph;
  if (!graph || (graph.node ?? []).length === 0) {
    return { ok: false, error: 'not an ONNX model: it has no graph with nodes (random bytes, or another kind of protobuf file?)' };
  }
  const opset = (proto.opsetImport ?? []).find((o) => !o.domain || o.domain === 'ai.onnx');
  if (!opset) return { ok: false, error: 'the model declares no opset of the standard ONNX domain' };
  try {
    const constants = new Map<string, ConstTensor>();
    const initializers: string[] = [];
    for (const t of graph.initializer ?? []) {
      const name = t.name ?? '';
      if (constants.has(name)) return { ok: false, error: `initializer '${name}' appears twice` };
      constants.set(name, tensorOf(t, name, readExternal, reuse));
      initializers.push(name);
    }
    const nodes: OnnxNode[] = [];
    for (const n of graph.node ?? []) {
      const attrs = new Map<string, AttrValue>();
      for (const a of n.attribute ?? []) attrs.set(a.name ?? '', attributeValue(a, readExternal));
      const node: OnnxNode = { name: n.name ?? '', op: n.opType ?? '', domain: n.domain ?? '', inputs: n.input ?? [], outputs: n.output ?? [], attrs };
      // Constant nodes and identities of constants (the TorchScript exporter shares equal weights
      // that way) become constants; everything else stays a node.
      if (node.op === 'Constant' && !node.domain) {
        const value = constantValue(attrs, node.outputs[0]!);
        if (!value) return { ok: false, error: `Constant node '${node.name}' has no tensor or number value` };
        constants.set(node.outputs[0]!, { ...value, fixed: true });
      } else nodes.push(node);
    }
    const inputs = (graph.input ?? [])
      .filter((i) => !constants.has(i.name ?? ''))
      .map((i) => ({ name: i.name ?? '', dims: (i.type?.tensorType?.shape?.dim ?? []).map((d): Dim => (d.dimParam ? d.dimParam : d.dimValue != null ? toNumber(d.dimValue) : '?')) }));
    const outputs = (graph.output ?? []).map((o) => o.name ?? '');
    const bad = badDims(inputs) ?? writtenTwice(nodes, new Set([...constants.keys(), ...inputs.map((i) => i.name)]));
    if (bad) return { ok: false, error: bad };
    const sorted = topologicalOrder(nodes, new Set([...constants.keys(), ...inputs.map((i) => i.name)]), outputs);
    if (typeof sorted === 'string') return { ok: false, error: sorted };
    const producer = [proto.producerName, proto.producerVersion].filter(Boolean).join(' ') || 'an unnamed producer';
    const model: OnnxModel = {
      producer,
      irVersion: toNumber(proto.irVersion ?? 0),
      opset: toNumber(opset.version ?? 0),
      graphName: graph.name ?? '',
      inputs,
      outputs,
      nodes: sorted,
      constants,
      initializers,
    };
    return { ok: true, model };
  } catch (e) {
    if (e instanceof BadFile) return { ok: false, error: e.message };
    throw e;
  }
}

class BadFile extends Error {}

/** archc's sizes are below 2³¹, as ONNX runtimes' int32 indexing needs. */
const MAX_DIM = 2 ** 31 - 1;

/** A declared input dimension that is negative or past what any runtime indexes. */
function badDims(inputs: readonly { readonly name: string; readonly dims: readonly Dim[] }[]): string | undefined {
  for (const input of inputs) {
    const d = input.dims.find((d) => typeof d === 'number' && (d < 0 || d > MAX_DIM));
    if (d === undefined) continue;
    const dims = `[${input.dims.map(String).join(', ')}]`;
    return (d as number) < 0
      ? `input '${input.name}' declares a negative dimension (${dims}); a dimension is a size ≥ 0 or a name`
      : `input '${input.name}' declares a dimension of ${d} (${dims}); archc takes sizes up to ${MAX_DIM.toLocaleString('en-US')}`;
  }
  return undefined;
}

/**
 * A tensor has one writer in a valid graph (ONNX's single static assignment rule): two nodes writing
 * one name, or a node overwriting an input or initializer, would make the import pick one silently.
 */
function writtenTwice(nodes: readonly OnnxNode[], given: ReadonlySet<string>): string | undefined {
  const writer = new Map<string, OnnxNode>();
  for (const n of nodes) {
    for (const o of n.outputs) {
      if (!o) continue;
      const label = (m: OnnxNode) => `'${m.name || m.op}' (${m.op})`;
      if (given.has(o)) return `node ${label(n)} writes '${o}', which is already a graph input or initializer`;
      const first = writer.get(o);
      if (first) return `tensor '${o}' is written by two nodes, ${label(first)} and ${label(n)}; an ONNX tensor has one producer`;
      writer.set(o, n);
    }
  }
  return undefined;
}

/** A Constant node's value: a tensor (`value`), or the number forms opset 12 added (`value_int`, `value_floats`, …). */
function constantValue(attrs: ReadonlyMap<string, AttrValue>, name: string): ConstTensor | undefined {
  const value = attrs.get('value');
  if (value && typeof value === 'object' && 'shape' in value) return { ...value, name };
  const forms: [string, 'int' | 'float', boolean][] = [['value_int', 'int', true], ['value_ints', 'int', false], ['value_float', 'float', true], ['value_floats', 'float', false]];
  for (const [key, type, scalar] of forms) {
    const v = attrs.get(key);
    if (v === undefined || typeof v === 'string' || (typeof v === 'object' && 'shape' in v)) continue;
    const list = typeof v === 'number' ? [v] : [...v];
    const data = type === 'float' ? Float32Array.from(list) : list;
    return { shape: scalar ? [] : [list.length], type, data, name };
  }
  return undefined;
}

/**
 * Kahn's algorithm over tensor names: a node is ready when all its inputs exist. A node whose input
 * nothing produces, and a cycle, are both reported by name.
 */
function topologicalOrder(nodes: readonly OnnxNode[], available: Set<string>, outputs: readonly string[]): OnnxNode[] | string {
  if (inFileOrder(nodes, available)) return [...nodes];
  const producers = new Map<string, number>();
  nodes.forEach((n, i) => n.outputs.forEach((o) => o && producers.set(o, i)));
  for (const n of nodes) {
    const missing = n.inputs.find((i) => i && !available.has(i) && !producers.has(i));
    if (missing !== undefined) return `node '${n.name || n.op}' (${n.op}) reads '${missing}', which no node, input or initializer produces`;
  }
  const missingOutput = outputs.find((o) => !available.has(o) && !producers.has(o));
  if (missingOutput !== undefined) return `graph output '${missingOutput}' is produced by no node`;
  const waiting = nodes.map((n) => new Set(n.inputs.filter((i) => i && !available.has(i))).size);
  const consumers = new Map<string, number[]>();
  nodes.forEach((n, i) => new Set(n.inputs).forEach((t) => t && !available.has(t) && consumers.set(t, [...(consumers.get(t) ?? []), i])));
  const ready = nodes.map((_, i) => i).filter((i) => waiting[i] === 0);
  const order: OnnxNode[] = [];
  while (ready.length > 0) {
    const i = ready.shift()!;
    order.push(nodes[i]!);
    for (const o of nodes[i]!.outputs) for (const c of consumers.get(o) ?? []) if (--waiting[c]! === 0) ready.push(c);
  }
  if (order.length < nodes.length) {
    const stuck = nodes.find((_, i) => waiting[i]! > 0)!;
    return `the graph has a cycle: node '${stuck.name || stuck.op}' (${stuck.op}) depends on its own output`;
  }
  return order;
}

/** Whether the file's own order is already topological (the usual case; it keeps the author's order). */
function inFileOrder(nodes: readonly OnnxNode[], available: ReadonlySet<string>): boolean {
  const seen = new Set(available);
  for (const n of nodes) {
    if (n.inputs.some((i) => i && !seen.has(i))) return false;
    n.outputs.forEach((o) => seen.add(o));
  }
  return true;
}

function attributeValue(a: AttributeProto, readExternal: ExternalReader): AttrValue {
  const A = onnx.AttributeProto.AttributeType;
  switch (a.type) {
    case A.INT:
      return toNumber(a.i ?? 0);
    case A.FLOAT:
      return a.f ?? 0;
    case A.STRING:
      return new TextDecoder().decode(a.s ?? new Uint8Array());
    case A.INTS:
      return (a.ints ?? []).map(toNumber);
    case A.FLOATS:
      return [...(a.floats ?? [])];
    case A.TENSOR:
      return tensorOf(a.t ?? {}, a.name ?? '', readExternal);
    default:
      return `<attribute type ${a.type}>`;
  }
}

const DT = onnx.TensorProto.DataType;

function tensorOf(t: TensorProto, name: string, readExternal: ExternalReader, reuse = false): ConstTensor {
  const shape = (t.dims ?? []).map(toNumber);
  const count = shape.reduce((a, b) => a * b, 1);
  let raw = t.rawData && t.rawData.length > 0 ? t.rawData : undefined;
  if (t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL) raw = external(t, name, readExternal);
  const type = t.dataType ?? 0;
  const wrongSize = (stored: string) => new BadFile(`tensor '${name}' has shape [${shape.join(', ')}] (${count} values) but stores ${stored}`);
  if (type === DT.FLOAT) {
    const data = raw ? (raw.length === count * 4 ? floats(raw, reuse && t.dataLocation !== onnx.TensorProto.DataLocation.EXTERNAL) : undefined) : Float32Array.from(t.floatData ?? []);
    if (!data || data.length !== count) throw wrongSize(raw ? `${raw.length} bytes` : `${t.floatData?.length ?? 0} values`);
    return { shape, type: 'float', data, name };
  }
  if (type === DT.INT64 || type === DT.INT32) {
    const size = type === DT.INT64 ? 8 : 4;
    let data: number[];
    if (raw) {
      if (raw.length !== count * size) throw wrongSize(`${raw.length} bytes`);
      const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
      data = Array.from({ length: count }, (_, i) => (size === 8 ? Number(view.getBigInt64(i * 8, true)) : view.getInt32(i * 4, true)));
    } else data = (type === DT.INT64 ? (t.int64Data ?? []) : (t.int32Data ?? [])).map(toNumber);
    if (data.length !== count) throw wrongSize(`${data.length} values`);
    return { shape, type: 'int', data, name };
  }
  if (type === DT.DOUBLE && !raw) return { shape, type: 'float', data: Float32Array.from(t.doubleData ?? []), name };
  const typeName = DT[type] ?? String(type);
  throw new BadFile(`tensor '${name}' has element type ${typeName}; archc imports float32 weights (and integer shapes)`);
}

/**
 * float32 data of raw bytes: a view into the file when aligned (no copy); when the buffer may be
 * reused, moved down to the alignment in place; else an aligned copy. A tensor of 128 bytes or more
 * has at least 3 header bytes before its data (the field tag and a 2-byte length), so the move
 * only overwrites its own header, which is already decoded.
 */
function floats(raw: Uint8Array, reuse: boolean): Float32Array {
  if (!LITTLE_ENDIAN) return floatsFromLittleEndian(raw);
  const shift = raw.byteOffset % 4;
  if (shift === 0) return new Float32Array(raw.buffer, raw.byteOffset, raw.length / 4);
  if (!reuse || raw.length < 128) return floatsFromLittleEndian(raw);
  new Uint8Array(raw.buffer).copyWithin(raw.byteOffset - shift, raw.byteOffset, raw.byteOffset + raw.length);
  return new Float32Array(raw.buffer, raw.byteOffset - shift, raw.length / 4);
}

function external(t: TensorProto, name: string, readExternal: ExternalReader): Uint8Array {
  const entry = new Map((t.externalData ?? []).map((e) => [e.key ?? '', e.value ?? '']));
  const location = entry.get('location');
  if (!location) throw new BadFile(`tensor '${name}' keeps its data in an external file but names none`);
  const file = readExternal(location);
  if ('error' in file) throw new BadFile(`tensor '${name}' keeps its data in '${location}', which cannot be read: ${file.error}`);
  const offset = Number(entry.get('offset') ?? 0);
  const length = entry.has('length') ? Number(entry.get('length')) : file.length - offset;
  if (!(offset >= 0 && length >= 0 && offset + length <= file.length)) {
    throw new BadFile(`tensor '${name}' wants bytes ${offset}..${offset + length} of '${location}', which holds ${file.length}`);
  }
  return file.subarray(offset, offset + length);
}

/** protobufjs gives int64 fields as numbers, or as Long objects when long.js is present. */
export function toNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (v && typeof v === 'object' && 'toNumber' in v) return (v as { toNumber(): number }).toNumber();
  return Number(v);
}
