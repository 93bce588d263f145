// Serializes a ModelProto as a list of chunks without copying the weights: onnx-proto encodes every
// message except the initializers' raw_data, which follow as views of the weight arrays, framed by
// hand-written length prefixes. Writing the chunks in order gives the file onnx-proto would write
// (fields in another order, which protobuf allows), with peak memory ≈ the weights alone.
import { onnx, type ModelProto } from './proto.js';

/** ONNX (protobuf) files cannot exceed 2 GiB. */
export const MAX_ONNX_BYTES = 2 ** 31 - 1;

const GRAPH_FIELD = (7 << 3) | 2; // ModelProto.graph
const INITIALIZER_FIELD = (5 << 3) | 2; // GraphProto.initializer
const RAW_DATA_FIELD = (9 << 3) | 2; // TensorProto.raw_data

export function encodeOnnx(model: ModelProto): Uint8Array[] {
  const graph = model.graph!;
  const head = onnx.GraphProto.encode({ ...graph, initializer: [] }).finish();
  const tail: Uint8Array[] = [];
  let graphLength = head.length;
  for (const t of graph.initializer ?? []) {
    const raw = t.rawData ?? new Uint8Array();
    const fields = onnx.TensorProto.encode({ ...t, rawData: null }).finish();
    const rawKey = key(RAW_DATA_FIELD, raw.length);
    const length = fields.length + rawKey.length + raw.length;
    const initKey = key(INITIALIZER_FIELD, length);
    tail.push(initKey, fields, rawKey, raw);
    graphLength += initKey.length + length;
  }
  const rest = onnx.ModelProto.encode({ ...model, graph: null }).finish();
  return [rest, key(GRAPH_FIELD, graphLength), head, ...tail];
}

export const encodedLength = (chunks: readonly Uint8Array[]): number => chunks.reduce((n, c) => n + c.length, 0);

/** A length-delimited field's key and length varint. */
function key(field: number, length: number): Uint8Array {
  const bytes = [field];
  let n = length;
  while (n >= 0x80) {
    bytes.push((n % 0x80) | 0x80);
    n = Math.floor(n / 0x80);
  }
  bytes.push(n);
  return Uint8Array.from(bytes);
}
