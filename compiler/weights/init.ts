// Seeded, reproducible weight initialisation with the usual initializers: He (Kaiming) uniform for
// convs, Glorot uniform for dense layers, constants for batch norm (γ=1, β=0, mean 0, var 1).
// Each tensor draws from its own stream, seeded by (seed, name): adding a layer to a model does not
// change the other layers' weights.
import type { IrGraph } from '../ir.js';
import type { WeightSpec } from '../ops/op.js';
import { declaredWeights, tensorSize, type WeightTensor } from './tensor.js';

export interface InitOptions {
  readonly seed?: number;
  /** `zeros`: every random initializer gives zeros; constant ones (γ, running var) are kept. */
  readonly zeros?: boolean;
}

export function initWeights(graph: IrGraph, options: InitOptions = {}): Map<string, WeightTensor> {
  const out = new Map<string, WeightTensor>();
  for (const { name, spec } of declaredWeights(graph)) {
    out.set(name, { shape: spec.shape, data: initTensor(spec, name, options) });
  }
  return out;
}

/** One tensor's values; the same (spec, name, seed) always gives the same bits. */
export function initTensor(spec: WeightSpec, name: string, options: InitOptions = {}): Float32Array {
  const data = new Float32Array(tensorSize(spec.shape));
  const { fanIn, fanOut } = fans(spec.shape);
  switch (spec.init) {
    case 'zeros':
      return data;
    case 'ones':
      return data.fill(1);
    case 'constant':
      if (spec.values) return data.map((_, i) => spec.values![i % spec.values!.length]!);
      return data.fill(spec.value ?? 0);
    case 'he':
      return options.zeros ? data : fillUniform(data, Math.sqrt(6 / fanIn), name, options.seed ?? 0);
    case 'glorot':
      return options.zeros ? data : fillUniform(data, Math.sqrt(6 / (fanIn + fanOut)), name, options.seed ?? 0);
    case 'uniform':
      return options.zeros ? data : fillUniform(data, 1 / Math.sqrt(fanIn), name, options.seed ?? 0);
    case 'normal':
      return options.zeros ? data : fillNormal(data, spec.value ?? 1, name, options.seed ?? 0);
  }
}

/** PyTorch's fans: [out, in, ...kernel] → in·k and out·k; a vector counts its length both ways. */
function fans(shape: readonly number[]): { fanIn: number; fanOut: number } {
  if (shape.length < 2) return { fanIn: Math.max(1, shape[0] ?? 1), fanOut: Math.max(1, shape[0] ?? 1) };
  const field = shape.slice(2).reduce((a, b) => a * b, 1);
  return { fanIn: Math.max(1, shape[1]! * field), fanOut: Math.max(1, shape[0]! * field) };
}

/** U(−bound, bound). The generator is inlined: this loop draws 25M numbers for resnet50. */
function fillUniform(data: Float32Array, bound: number, name: string, seed: number): Float32Array {
  let [a, b, c, d] = seedState(name, seed);
  const scale = 2 * bound * 2 ** -24;
  for (let i = 0; i < data.length; i++) {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    data[i] = (t >>> 8) * scale - bound;
  }
  return data;
}

/** N(0, std²) by Box–Muller (torchvision's ViT draws its position embedding with std 0.02). */
function fillNormal(data: Float32Array, std: number, name: string, seed: number): Float32Array {
  const next = stream(name, seed);
  const unit = () => ((next() >>> 8) + 0.5) * 2 ** -24;
  for (let i = 0; i < data.length; i += 2) {
    const r = std * Math.sqrt(-2 * Math.log(unit()));
    const t = 2 * Math.PI * unit();
    data[i] = r * Math.cos(t);
    if (i + 1 < data.length) data[i + 1] = r * Math.sin(t);
  }
  return data;
}

/** sfc32 (a small, fast, well-tested 32-bit generator), seeded from the seed and the tensor name. */
function stream(name: string, seed: number): () => number {
  let [a, b, c, d] = seedState(name, seed);
  return () => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
}

/** sfc32's state for one tensor, after the customary 12 warm-up rounds. */
function seedState(name: string, seed: number): [number, number, number, number] {
  let a = hash(name, 0x9e3779b9 ^ seed);
  let b = hash(name, 0x85ebca6b + seed);
  let c = hash(name, 0xc2b2ae35 ^ Math.imul(seed, 31));
  let d = 1;
  for (let i = 0; i < 12; i++) {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
  }
  return [a, b, c, d];
}

/** A 32-bit FNV-1a hash of the name, mixed with a salt (murmur3's finalizer). */
function hash(text: string, salt: number): number {
  let h = (0x811c9dc5 ^ salt) >>> 0;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
