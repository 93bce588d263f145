// Static int8 quantization as a rewrite of an ONNX graph into the standard QDQ form: every Conv,
// ConvTranspose (ungrouped), Gemm and MatMul with a constant weight reads its weight through DequantizeLinear from an int8
// initializer (symmetric, per tensor or per output channel), its bias from int32 (scale = input
// scale × weight scale, as onnxruntime's QLinearConv expects), and its activation input and output
// through a QuantizeLinear → DequantizeLinear pair whose scale and zero point come from calibration.
// onnxruntime fuses these patterns into integer kernels (QLinearConv, MatMulInteger); any runtime
// without such kernels still runs the file as the float model it simulates.
import { FLOAT, type ModelProto, type NodeProto, type TensorProto } from '../lower-onnx/proto.js';
import { fresh } from './prepare.js';
import { activationParams, quantizeBias, quantizeWeights, type ActivationParams, type ActivationType, type Range } from './ranges.js';
import { dimsOfTensor, floatTensor, floatValues, initializerMap, int32Tensor, int8Tensor, uint8Tensor } from './tensors.js';

export interface QuantizeTarget {
  readonly node: NodeProto;
  /** The weight's output-channel axis: 0 for Conv and Gemm with transB, 1 for MatMul's [in, out] and ConvTranspose's [in, out, k…]. */
  readonly axis: number;
  /** The bias initializer that may be stored as int32 (Conv, and Gemm with beta = 1). */
  readonly bias?: string;
}

/** The nodes the rewrite quantizes and the activation tensors whose ranges calibration must measure. */
export function quantizationTargets(model: ModelProto): { targets: QuantizeTarget[]; activations: string[] } {
  const g = model.graph!;
  const inits = initializerMap(g);
  const isFloatWeight = (name: string | undefined) => name !== undefined && inits.get(name)?.dataType === FLOAT;
  const attr = (n: NodeProto, name: string, fallback: number) => {
    const a = n.attribute?.find((x) => x.name === name);
    return a ? Number(a.i ?? a.f ?? fallback) : fallback;
  };
  const targets: QuantizeTarget[] = [];
  for (const n of g.node ?? []) {
    const [x, w, b] = n.input ?? [];
    if (!x || inits.has(x) || !isFloatWeight(w)) continue;
    const floatBias = b && isFloatWeight(b) ? b : undefined;
    if (n.opType === 'Conv') targets.push({ node: n, axis: 0, bias: floatBias });
    // Grouped, its weight's axis 1 is the output channels of one group only: per-channel scales would not line up.
    else if (n.opType === 'ConvTranspose' && attr(n, 'group', 1) === 1) targets.push({ node: n, axis: 1, bias: floatBias });
    else if (n.opType === 'Gemm' && attr(n, 'transA', 0) === 0) {
      targets.push({ node: n, axis: attr(n, 'transB', 0) ? 0 : 1, bias: attr(n, 'beta', 1) === 1 && attr(n, 'alpha', 1) === 1 ? floatBias : undefined });
    } else if (n.opType === 'MatMul' && dimsOfTensor(inits.get(w!)!).length === 2) targets.push({ node: n, axis: 1 });
  }
  const outputs = new Set((g.output ?? []).map((o) => o.name!));
  const activations = new Set<string>();
  for (const t of targets) {
    activations.add(t.node.input![0]!);
    const y = t.node.output![0]!;
    if (!outputs.has(y)) activations.add(y);
  }
  return { targets, activations: [...activations] };
}

export interface QdqOptions {
  readonly perChannel: boolean;
  readonly activationType: ActivationType;
  /** Calibrated ranges of the tensors quantizationTargets names; a tensor without one stays float. */
  readonly ranges: ReadonlyMap<string, Range>;
}

export const NOTHING_TO_QUANTIZE = 'the model has no convolution or dense layer with constant weights, so there is nothing to quantize';

export type QdqResult = { ok: true; model: ModelProto; quantized: number } | { ok: false; message: string };

export function quantizeQdq(model: ModelProto, options: QdqOptions): QdqResult {
  const { targets, activations } = quantizationTargets(model);
  if (targets.length === 0) {
    return { ok: false, message: NOTHING_TO_QUANTIZE };
  }
  const g = model.graph!;
  const inits = initializerMap(g);
  const taken = new Set([...inits.keys(), ...(g.node ?? []).flatMap((n) => [...(n.output ?? []), ...(n.input ?? [])]), ...(g.input ?? []).map((i) => i.name!)]);
  const removed = new Set<string>();
  const added: TensorProto[] = [];
  const weightNodes: NodeProto[] = [];
  const weightScales = new Map<string, Float32Array>();
  // Q/DQ nodes go unnamed (names are optional in ONNX) and their tensors get short suffixes (_q, _dq,
  // _scale, _zp): in a model of a few thousand weights, names would otherwise cost more than the int8
  // weights save.
  const dq = (input: string, scale: string, zero: string, output: string, axis?: number): NodeProto => ({
    opType: 'DequantizeLinear',
    input: [input, scale, zero],
    output: [output],
    attribute: axis === undefined ? [] : [{ name: 'axis', type: 2 /* INT */, i: axis }],
  });

  // Weights: int8 initializers read through DequantizeLinear, whose output keeps the weight's name.
  for (const t of targets) {
    const name = t.node.input![1]!;
    if (weightScales.has(name)) continue;
    const tensor = inits.get(name)!;
    const dims = dimsOfTensor(tensor);
    const axis = options.perChannel ? t.axis : undefined;
    const q = quantizeWeights(floatValues(tensor)!, dims, axis);
    const scaleDims = axis === undefined ? [] : [q.scales.length];
    const [qName, sName, zName] = ['q', 'scale', 'zp'].map((s) => fresh(`${name}_${s}`, taken)) as [string, string, string];
    added.push(int8Tensor(qName, dims, q.values), floatTensor(sName, scaleDims, q.scales), int8Tensor(zName, scaleDims, new Int8Array(q.scales.length)));
    weightNodes.push(dq(qName, sName, zName, name, axis));
    weightScales.set(name, q.scales);
    removed.add(name);
  }

  // Activations: a QuantizeLinear → DequantizeLinear pair after the producer; readers take the result.
  const params = new Map<string, ActivationParams>();
  const pairs = new Map<string, NodeProto[]>();
  const renamed = new Map<string, string>();
  for (const tensor of activations) {
    const range = options.ranges.get(tensor);
    if (!range) continue;
    const p = activationParams(range, options.activationType);
    params.set(tensor, p);
    const [sName, zName, qName, dqName] = ['scale', 'zp', 'q', 'dq'].map((s) => fresh(`${tensor}_${s}`, taken)) as [string, string, string, string];
    const zero = options.activationType === 'uint8' ? uint8Tensor(zName, [], Uint8Array.of(p.zeroPoint)) : int8Tensor(zName, [], Int8Array.of(p.zeroPoint));
    added.push(floatTensor(sName, [], Float32Array.of(p.scale)), zero);
    const quantize: NodeProto = { opType: 'QuantizeLinear', input: [tensor, sName, zName], output: [qName] };
    pairs.set(tensor, [quantize, dq(qName, sName, zName, dqName)]);
    renamed.set(tensor, dqName);
  }

  // Biases: int32 where the input activation and the weight are both quantized.
  for (const t of targets) {
    const input = params.get(t.node.input![0]!);
    if (!t.bias || !input || removed.has(t.bias)) continue;
    const bias = inits.get(t.bias)!;
    const scales = weightScales.get(t.node.input![1]!)!;
    const dims = dimsOfTensor(bias);
    if (dims.length !== 1 || (scales.length !== 1 && scales.length !== dims[0])) continue; // a broadcast Gemm C stays float
    const q = quantizeBias(floatValues(bias)!, input.scale, scales);
    const [qName, sName] = ['q', 'scale'].map((s) => fresh(`${t.bias}_${s}`, taken)) as [string, string];
    // The zero point is omitted (it defaults to 0); one scale serves a per-tensor weight's bias.
    const perTensor = scales.length === 1;
    added.push(int32Tensor(qName, dims, q.values), floatTensor(sName, perTensor ? [] : dims, perTensor ? q.scales.subarray(0, 1) : q.scales));
    weightNodes.push({ opType: 'DequantizeLinear', input: [qName, sName], output: [t.bias], attribute: perTensor ? [] : [{ name: 'axis', type: 2, i: 0 }] });
    removed.add(t.bias);
  }

  const nodes: NodeProto[] = [...weightNodes];
  const place = (tensor: string) => nodes.push(...(pairs.get(tensor) ?? []));
  for (const i of g.input ?? []) place(i.name!);
  for (const n of g.node ?? []) {
    nodes.push({ ...n, input: (n.input ?? []).map((i) => renamed.get(i) ?? i) });
    for (const o of n.output ?? []) place(o);
  }
  const initializer = [...(g.initializer ?? []).filter((t) => !removed.has(t.name!)), ...added];
  return { ok: true, model: { ...model, graph: { ...g, node: nodes, initializer } }, quantized: targets.length };
}
