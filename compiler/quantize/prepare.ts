// Rewrites that compute the same function with fewer, quantizable weights, done before calibration
// so that the ranges are measured on the graph that gets quantized (the standard preprocessing of
// post-training quantizers, e.g. onnxruntime's quant_pre_process):
// - a BatchNormalization that alone reads a Conv's output is folded into the Conv's weight and bias
//   (W' = W·γ/σ per output channel, b' = (b − μ)·γ/σ + β, σ = √(var + ε)), so the int8 weights hold
//   the filters as they are applied and no float op sits between the Conv and its quantized output;
// - a Transpose of a 2-D weight (archc's dense layer on tokens: MatMul with the weight transposed)
//   becomes a transposed initializer, so that MatMul reads its weight directly.
import type { ModelProto, NodeProto, TensorProto } from '../lower-onnx/proto.js';
import { dimsOfTensor, floatTensor, floatValues, initializerMap } from './tensors.js';

export function prepareForQuantization(model: ModelProto): ModelProto {
  const graph = { ...model.graph!, node: (model.graph!.node ?? []).map((n) => ({ ...n })), initializer: [...(model.graph!.initializer ?? [])] };
  const prepared = { ...model, graph };
  foldBatchNorms(prepared);
  foldWeightTransposes(prepared);
  dropUnused(prepared);
  return prepared;
}

/** How many nodes read each tensor (graph outputs count as a reader). */
function readers(model: ModelProto): Map<string, number> {
  const count = new Map<string, number>();
  const add = (t: string) => count.set(t, (count.get(t) ?? 0) + 1);
  for (const n of model.graph!.node ?? []) for (const i of n.input ?? []) if (i) add(i);
  for (const o of model.graph!.output ?? []) add(o.name!);
  return count;
}

function foldBatchNorms(model: ModelProto): void {
  const g = model.graph!;
  const inits = initializerMap(g);
  const count = readers(model);
  const producer = new Map<string, NodeProto>();
  for (const n of g.node!) for (const o of n.output ?? []) producer.set(o, n);
  const removed = new Set<NodeProto>();
  const taken = new Set([...inits.keys(), ...g.node!.flatMap((n) => n.output ?? [])]);
  for (const bn of g.node!) {
    if (bn.opType !== 'BatchNormalization' || (bn.output ?? []).length !== 1) continue;
    const conv = producer.get(bn.input![0]!);
    if (conv?.opType !== 'Conv' || count.get(bn.input![0]!) !== 1) continue;
    const weight = inits.get(conv.input![1]!);
    const w = weight && count.get(weight.name!) === 1 ? floatValues(weight) : undefined;
    const biasInit = conv.input![2] ? inits.get(conv.input![2]) : undefined;
    if (!weight || !w || (conv.input![2] && (!biasInit || count.get(biasInit.name!) !== 1))) continue;
    const [gamma, beta, mean, variance] = bn.input!.slice(1).map((name) => (inits.get(name) ? floatValues(inits.get(name)!) : undefined));
    if (!gamma || !beta || !mean || !variance) continue;
    const epsilon = bn.attribute?.find((a) => a.name === 'epsilon')?.f ?? 1e-5;
    const dims = dimsOfTensor(weight);
    const outChannels = dims[0]!;
    const perChannel = w.length / outChannels;
    const bias = biasInit ? floatValues(biasInit)! : new Float32Array(outChannels);
    const newBias = new Float32Array(outChannels);
    for (let o = 0; o < outChannels; o++) {
      const k = gamma[o]! / Math.sqrt(variance[o]! + epsilon);
      for (let i = o * perChannel; i < (o + 1) * perChannel; i++) w[i] = w[i]! * k;
      newBias[o] = (bias[o]! - mean[o]!) * k + beta[o]!;
    }
    const biasName = biasInit?.name ?? fresh(weight.name!.replace(/weight$/, 'bias'), taken);
    replaceInitializer(g.initializer!, floatTensor(weight.name!, dims, w));
    replaceInitializer(g.initializer!, floatTensor(biasName, [outChannels], newBias));
    conv.input = [conv.input![0]!, weight.name!, biasName];
    const folded = conv.output![0]!;
    conv.output = [bn.output![0]!];
    g.valueInfo = (g.valueInfo ?? []).filter((v) => v.name !== folded);
    removed.add(bn);
  }
  g.node = g.node!.filter((n) => !removed.has(n));
}

function foldWeightTransposes(model: ModelProto): void {
  const g = model.graph!;
  const inits = initializerMap(g);
  const removed = new Set<NodeProto>();
  for (const n of g.node!) {
    if (n.opType !== 'Transpose') continue;
    const source = inits.get(n.input![0]!);
    const perm = n.attribute?.find((a) => a.name === 'perm')?.ints?.map(Number);
    const values = source && floatValues(source);
    if (!values || dimsOfTensor(source).length !== 2 || perm?.join() !== '1,0') continue;
    const [rows, columns] = dimsOfTensor(source) as [number, number];
    const transposed = new Float32Array(values.length);
    for (let r = 0; r < rows; r++) for (let c = 0; c < columns; c++) transposed[c * rows + r] = values[r * columns + c]!;
    const name = n.output![0]!;
    g.initializer!.push(floatTensor(name, [columns, rows], transposed));
    g.valueInfo = (g.valueInfo ?? []).filter((v) => v.name !== name);
    removed.add(n);
  }
  g.node = g.node!.filter((n) => !removed.has(n));
}

/** Initializers no node reads any more (a folded batch norm's statistics, a transposed weight's original). */
function dropUnused(model: ModelProto): void {
  const g = model.graph!;
  const count = readers(model);
  g.initializer = g.initializer!.filter((t) => count.has(t.name!));
}

function replaceInitializer(list: TensorProto[], tensor: TensorProto): void {
  const at = list.findIndex((t) => t.name === tensor.name);
  if (at >= 0) list[at] = tensor;
  else list.push(tensor);
}

export function fresh(base: string, taken: Set<string>): string {
  let name = base;
  for (let k = 2; taken.has(name); k++) name = `${base}_${k}`;
  taken.add(name);
  return name;
}
