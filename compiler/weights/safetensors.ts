// The safetensors format (huggingface/safetensors): an 8-byte little-endian header length, a JSON
// header {name: {dtype, shape, data_offsets}, __metadata__: {..}}, then the raw little-endian data.
// The reader checks every claim the header makes before touching the data, so a truncated file or
// a header that lies about sizes is refused with a message instead of misread.
import { floatsFromLittleEndian, littleEndianBytes, type WeightTensor, type Weights } from './tensor.js';

export type SafetensorsResult =
  | { readonly ok: true; readonly weights: Map<string, WeightTensor>; readonly metadata: Record<string, string> }
  | { readonly ok: false; readonly error: string };

/** The largest header the reference implementation accepts. */
const MAX_HEADER = 100_000_000;

/** The float types archc converts to float32. */
const DTYPE_BYTES: Record<string, number> = { F32: 4, F64: 8, F16: 2, BF16: 2 };
/**
 * Integer types, read as float32 when every value is exact there (|v| ≤ 2^24): index buffers such
 * as torchvision's int64 `relative_position_index` in Swin and MaxViT load as they are saved.
 */
const INTEGER_BYTES: Record<string, number> = { I64: 8, U64: 8, I32: 4, U32: 4, I16: 2, U16: 2, I8: 1, U8: 1, BOOL: 1 };
/** Other safetensors types: their sizes keep the layout check exact; their tensors are refused. */
const OTHER_BYTES: Record<string, number> = { ...INTEGER_BYTES, F8_E4M3: 1, F8_E5M2: 1 };
/** The largest integer float32 holds exactly, with every integer below it. */
const EXACT_IN_FLOAT32 = 2 ** 24;

/**
 * Integer buffers that PyTorch's batch norm keeps and archc has no use for: a torchvision
 * state_dict converted as it is holds one per batch norm, and they are skipped, not refused.
 */
const IGNORED = /(^|\.)num_batches_tracked$/;

export function readSafetensors(bytes: Uint8Array): SafetensorsResult {
  const fail = (error: string): SafetensorsResult => ({ ok: false, error });
  if (bytes.length < 8) return fail(`the file is ${bytes.length} bytes long; a safetensors file starts with an 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getBigUint64(0, true);
  if (headerLength > BigInt(bytes.length - 8)) {
    return fail(`the header length says ${headerLength} bytes but only ${bytes.length - 8} follow (truncated, or not a safetensors file)`);
  }
  if (headerLength > BigInt(MAX_HEADER)) return fail(`the header is ${headerLength} bytes; the limit is ${MAX_HEADER}`);
  const dataStart = 8 + Number(headerLength);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, dataStart)));
  } catch (e) {
    return fail(`the header is not valid UTF-8 JSON: ${(e as Error).message}`);
  }
  if (!isObject(header)) return fail('the header is not a JSON object');
  const twice = duplicateKey(new TextDecoder().decode(bytes.subarray(8, dataStart)));
  if (twice !== undefined) return fail(`tensor '${twice}' appears twice in the header`);
  const data = bytes.subarray(dataStart);
  const metadata: Record<string, string> = {};
  const entries: { name: string; dtype: string; shape: number[]; begin: number; end: number }[] = [];
  for (const [name, value] of Object.entries(header)) {
    if (name === '__metadata__') {
      const strings = isObject(value) && Object.values(value).every((v) => typeof v === 'string');
      if (!strings) return fail('__metadata__ must map strings to strings');
      Object.assign(metadata, value);
      continue;
    }
    const entry = checkEntry(name, value, data.length);
    if (typeof entry === 'string') return fail(entry);
    entries.push(entry);
  }
  const layout = checkLayout(entries, data.length);
  if (layout) return fail(layout);
  const weights = new Map<string, WeightTensor>();
  for (const e of entries) {
    if (IGNORED.test(e.name)) continue;
    const bytes = data.subarray(e.begin, e.end);
    if (e.dtype in INTEGER_BYTES) {
      const ints = integersToFloat32(e.dtype, bytes);
      if (typeof ints === 'string') return fail(`tensor '${e.name}' is ${e.dtype} and holds ${ints}, which float32 cannot hold exactly; archc computes in float32, so convert or leave it out`);
      weights.set(e.name, { shape: e.shape, data: ints });
      continue;
    }
    if (!(e.dtype in DTYPE_BYTES)) {
      return fail(
        `tensor '${e.name}' is ${e.dtype}; archc reads float tensors (F32, F16 and BF16, converted to float32, and F64) and integer tensors whose values float32 holds exactly: ` +
          'convert it before saving (tensor.float() in PyTorch) or leave it out',
      );
    }
    weights.set(e.name, { shape: e.shape, data: toFloat32(e.dtype, bytes) });
  }
  return { ok: true, weights, metadata };
}

function checkEntry(name: string, value: unknown, dataLength: number) {
  if (!isObject(value)) return `tensor '${name}': its header entry is not an object`;
  const { dtype, shape, data_offsets: offsets } = value as Record<string, unknown>;
  if (typeof dtype !== 'string' || !(dtype in DTYPE_BYTES || dtype in OTHER_BYTES)) {
    return `tensor '${name}': dtype ${JSON.stringify(dtype)} is not a safetensors type archc knows (it reads F32, F16, BF16 and F64)`;
  }
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    return `tensor '${name}': shape ${JSON.stringify(shape)} is not a list of non-negative integers`;
  }
  const pair = Array.isArray(offsets) && offsets.length === 2 && offsets.every((o) => Number.isSafeInteger(o) && o >= 0);
  if (!pair || offsets[0] > offsets[1]) {
    return `tensor '${name}': data_offsets ${JSON.stringify(offsets)} must be [begin, end] with 0 ≤ begin ≤ end`;
  }
  const [begin, end] = offsets as [number, number];
  const needed = shape.reduce((a: number, b: number) => a * b, 1) * (DTYPE_BYTES[dtype] ?? OTHER_BYTES[dtype]!);
  if (end - begin !== needed) {
    const claim = `data_offsets [${begin}, ${end}] cover ${end - begin}`;
    return `tensor '${name}': shape [${shape.join(', ')}] in ${dtype} needs ${needed} bytes, but ${claim}`;
  }
  if (end > dataLength) {
    return `tensor '${name}' ends at byte ${end} of the data, but the file holds only ${dataLength} data bytes (truncated?)`;
  }
  return { name, dtype, shape: shape as number[], begin, end };
}

/**
 * The first top-level key of a JSON object text that appears twice (JSON.parse keeps the last one
 * silently). The text is known to be valid JSON: strings are skipped by their escapes, nesting by
 * brackets.
 */
function duplicateKey(json: string): string | undefined {
  const seen = new Set<string>();
  let depth = 0;
  let expectKey = false;
  for (let i = 0; i < json.length; i++) {
    const c = json[i];
    if (c === '"') {
      let j = i + 1;
      while (json[j] !== '"') j += json[j] === '\\' ? 2 : 1;
      if (depth === 1 && expectKey) {
        const key = JSON.parse(json.slice(i, j + 1)) as string;
        if (seen.has(key)) return key;
        seen.add(key);
        expectKey = false;
      }
      i = j;
    } else if (c === '{' || c === '[') {
      depth++;
      expectKey = depth === 1 && c === '{';
    } else if (c === '}' || c === ']') depth--;
    else if (c === ',' && depth === 1) expectKey = true;
  }
  return undefined;
}

/** Tensors must tile the data section exactly: no overlaps, no holes, nothing left over. */
function checkLayout(entries: readonly { name: string; begin: number; end: number }[], dataLength: number): string | undefined {
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let at = 0;
  for (const e of sorted) {
    if (e.begin < at) return `tensor '${e.name}' overlaps the tensor before it (bytes ${e.begin}..${at})`;
    if (e.begin > at) return `bytes ${at}..${e.begin} of the data belong to no tensor`;
    at = e.end;
  }
  if (at !== dataLength) return `the data section has ${dataLength} bytes but the tensors cover ${at}`;
  return undefined;
}

function toFloat32(dtype: string, bytes: Uint8Array): Float32Array {
  if (dtype === 'F32') return floatsFromLittleEndian(bytes);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = bytes.length / DTYPE_BYTES[dtype]!;
  const out = new Float32Array(n);
  const bits = new Uint32Array(out.buffer);
  for (let i = 0; i < n; i++) {
    if (dtype === 'F64') out[i] = view.getFloat64(i * 8, true);
    else if (dtype === 'BF16') bits[i] = view.getUint16(i * 2, true) << 16;
    else out[i] = halfToFloat(view.getUint16(i * 2, true));
  }
  return out;
}

/** Reads integer element `i` of each integer type (64-bit ones as a possibly rounded number: range-checked after). */
const INTEGER_READERS: Record<string, (view: DataView, i: number) => number> = {
  I64: (v, i) => Number(v.getBigInt64(i * 8, true)),
  U64: (v, i) => Number(v.getBigUint64(i * 8, true)),
  I32: (v, i) => v.getInt32(i * 4, true),
  U32: (v, i) => v.getUint32(i * 4, true),
  I16: (v, i) => v.getInt16(i * 2, true),
  U16: (v, i) => v.getUint16(i * 2, true),
  I8: (v, i) => v.getInt8(i),
  U8: (v, i) => v.getUint8(i),
  BOOL: (v, i) => v.getUint8(i),
};

/** An integer tensor as float32, or the first value float32 cannot hold exactly (as text). */
function integersToFloat32(dtype: string, bytes: Uint8Array): Float32Array | string {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const read = INTEGER_READERS[dtype]!;
  const out = new Float32Array(bytes.length / INTEGER_BYTES[dtype]!);
  for (let i = 0; i < out.length; i++) {
    const x = read(view, i);
    if (Math.abs(x) > EXACT_IN_FLOAT32) return `${x} at index ${i}`;
    out[i] = x;
  }
  return out;
}

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The file as a list of chunks (the header, then each tensor's bytes as a view, not a copy), in the
 * map's order; write them one after another. float32 only.
 */
export function safetensorsChunks(weights: Weights, metadata: Readonly<Record<string, string>> = {}): Uint8Array[] {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header['__metadata__'] = metadata;
  let offset = 0;
  for (const [name, w] of weights) {
    header[name] = { dtype: 'F32', shape: w.shape, data_offsets: [offset, offset + w.data.byteLength] };
    offset += w.data.byteLength;
  }
  // The reference writer pads the header with spaces so that the data starts 8-byte aligned.
  const jsonBytes = new TextEncoder().encode(JSON.stringify(header));
  const padded = new Uint8Array(Math.ceil(jsonBytes.length / 8) * 8).fill(0x20);
  padded.set(jsonBytes);
  const length = new Uint8Array(8);
  new DataView(length.buffer).setBigUint64(0, BigInt(padded.length), true);
  return [length, padded, ...[...weights.values()].map((w) => littleEndianBytes(w.data))];
}

/** The whole file in one buffer. */
export function writeSafetensors(weights: Weights, metadata: Readonly<Record<string, string>> = {}): Uint8Array {
  return concatChunks(safetensorsChunks(weights, metadata));
}

export function concatChunks(chunks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
