// Shared by the runtime tests: build a compiled graph for tfjs with given weights, feed NCHW inputs,
// read NCHW outputs, and run the same graph's ONNX export in onnxruntime-node for comparison.
import * as tf from '@tensorflow/tfjs-core';
import ort from 'onnxruntime-node';
import type { IrGraph } from '../../compiler/ir.js';
import type { Weights } from '../../compiler/weights/tensor.js';
import { buildModel, fromTfjsLayout, toTfjsLayout, type ArchcMetadata } from '../../runtime/index.js';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { compile } from '../../compiler/compile.js';
import { nodeHost } from '../../compiler/node-host.js';
import { bytesOf, compileReduced, lower } from '../onnx/harness.js';

export interface Batch {
  readonly dims: number[];
  readonly data: Float32Array;
}

/** Deterministic inputs in [-1, 1] for every graph input, NCHW, at this batch size. */
export function inputsFor(graph: IrGraph, batch: number, seed = 1): Record<string, Batch> {
  const out: Record<string, Batch> = {};
  for (const i of graph.inputs) {
    const dims = [batch, ...graph.nodes[i.node]!.shape];
    const size = dims.reduce((a, b) => a * b, 1);
    out[i.name] = { dims, data: Float32Array.from({ length: size }, (_, k) => Math.sin((k + 1) * 12.9898 * seed) ) };
  }
  return out;
}

/** Builds the tfjs model of `graph` with these weights on the current backend (fails the test on diagnostics). */
export function build(graph: IrGraph, weights?: Weights): { model: LayersModel; metadata: ArchcMetadata } {
  const built = buildModel(graph, weights ? { weights } : {});
  if (!built.ok) throw new Error(built.diagnostics.map((d) => `${d.code} ${d.message}`).join('\n'));
  return built;
}

/** Runs the tfjs model on NCHW inputs and returns NCHW outputs by name. */
export async function predictNchw(model: LayersModel, metadata: ArchcMetadata, inputs: Record<string, Batch>): Promise<Record<string, Batch>> {
  const feeds = metadata.inputs.map((io) => tf.tidy(() => toTfjsLayout(tf.tensor(inputs[io.name]!.data, inputs[io.name]!.dims), io)));
  const raw = model.predict(feeds.length === 1 ? feeds[0]! : feeds);
  const list = Array.isArray(raw) ? raw : [raw];
  const out: Record<string, Batch> = {};
  for (const [k, io] of metadata.outputs.entries()) {
    const nchw = tf.tidy(() => fromTfjsLayout(list[k]!, io));
    out[io.name] = { dims: [...nchw.shape], data: (await nchw.data()) as Float32Array };
    nchw.dispose();
  }
  tf.dispose([...feeds, ...list]);
  return out;
}

/** The ONNX export of `graph` with these weights, run in onnxruntime-node. */
export async function onnxOutputs(graph: IrGraph, weights: Weights, inputs: Record<string, Batch>): Promise<Record<string, Batch>> {
  const s = await ort.InferenceSession.create(bytesOf(lower(graph, weights)));
  const feeds = Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, new ort.Tensor('float32', v.data, v.dims)]));
  const result = await s.run(feeds);
  await s.release();
  return Object.fromEntries(Object.entries(result).map(([k, v]) => [k, { dims: [...v.dims], data: v.data as Float32Array }]));
}

/** Largest |a − b|, and the largest |b| (the scale the difference is relative to). */
export function difference(a: Batch, b: Batch): { max: number; scale: number } {
  let max = 0;
  let scale = 0;
  for (let i = 0; i < b.data.length; i++) {
    max = Math.max(max, Math.abs(a.data[i]! - b.data[i]!));
    scale = Math.max(scale, Math.abs(b.data[i]!));
  }
  return { max, scale };
}

/** Errors a smaller input size may cause without the model being wrong: expects, annotations. */
const SIZE_BOUND = new Set(['E0501', 'E0502']);

/**
 * The zoo model at the smallest input size it accepts among a few (image inputs of 64 pixels and
 * up shrink towards 32), else at onnx/harness's reduced size: for tests whose cost grows with the
 * input (training steps), where the architecture, not the size, is under test.
 */
export function compileSmall(path: string): { graph: IrGraph; macs: number } {
  const reduced = compileReduced(path);
  const g = reduced.graph;
  for (const target of [32, 48, 64, 96]) {
    const inputs: Record<string, number[]> = {};
    for (const i of g.inputs) {
      const [c, ...spatial] = g.nodes[i.node]!.shape;
      const small = spatial.length >= 2 && spatial.every((d) => d > target);
      inputs[i.name] = small ? [c!, ...spatial.map((d) => Math.max(target, Math.round((d * target) / Math.min(...spatial))))] : [c!, ...spatial];
    }
    if (Object.values(inputs).every((s, k) => s.join() === g.nodes[g.inputs[k]!.node]!.shape.join())) break;
    const result = compile(path, nodeHost, { inputs });
    const blocking = result.diagnostics.filter((d) => d.severity === 'error' && !SIZE_BOUND.has(d.code));
    if (result.graph && blocking.length === 0) return { graph: result.graph, macs: result.report?.macs ?? Infinity };
  }
  return { graph: g, macs: reduced.result.report?.macs ?? Infinity };
}

/**
 * The part of `graph` that computes `layer` (a layer name, or a scope: its last layer), with that
 * layer as the only output `probe`: for comparisons at a point inside a model.
 */
export function truncate(graph: IrGraph, layer: string): IrGraph {
  const target = graph.nodes.findLast((n) => n.name === layer || n.name.startsWith(`${layer}.`));
  if (!target) throw new Error(`no layer ${layer} in ${graph.model}`);
  const keep = new Set<number>();
  const visit = (id: number): void => {
    if (keep.has(id)) return;
    keep.add(id);
    graph.nodes[id]!.inputs.forEach(visit);
  };
  visit(target.id);
  const ids = [...keep].sort((a, b) => a - b);
  const renumber = new Map(ids.map((id, i) => [id, i]));
  const nodes = ids.map((id) => ({ ...graph.nodes[id]!, id: renumber.get(id)!, inputs: graph.nodes[id]!.inputs.map((i) => renumber.get(i)!) }));
  const inputs = graph.inputs.filter((i) => keep.has(i.node)).map((i) => ({ ...i, node: renumber.get(i.node)! }));
  return { ...graph, nodes, inputs, outputs: [{ name: 'probe', node: renumber.get(target.id)! }] };
}
