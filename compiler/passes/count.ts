// count: per-layer and total parameters, buffers, MACs, receptive field and memory, all derived
// from the ops' declared weights and MAC rules.
import type { IrGraph, IrNode } from '../ir.js';
import { elementCount } from '../ir.js';
import { lookupOp } from '../ops/registry.js';
import type { LayerReport, ModelReport } from '../report.js';

const BYTES_PER_FLOAT = 4;

export function count(graph: IrGraph): ModelReport {
  const layers: LayerReport[] = [];
  const field: { rf: number; jump: number }[] = [];
  let learnable = 0;
  let buffers = 0;
  let frozen = 0;
  let macs = 0;
  let activations = 0;
  for (const node of graph.nodes) {
    const op = lookupOp(node.op);
    const inputShapes = node.inputs.map((i) => graph.nodes[i]!.shape);
    let params = 0;
    let bufs = 0;
    for (const w of op?.weights?.(node.attrs, inputShapes) ?? []) {
      if (w.role === 'learnable') params += elementCount(w.shape);
      else bufs += elementCount(w.shape);
    }
    const nodeMacs = op?.macs?.(node.attrs, inputShapes, node.shape) ?? 0;
    const f = receptiveField(node, field, op?.field?.(node.attrs, inputShapes));
    field.push(f);
    learnable += params;
    buffers += bufs;
    if (node.frozen) frozen += params;
    macs += nodeMacs;
    activations += elementCount(node.shape);
    layers.push({
      name: node.name,
      op: node.op,
      inputs: node.inputs.map((i) => graph.nodes[i]!.name),
      outputShape: ['N', ...node.shape],
      params,
      buffers: bufs,
      frozen: node.frozen,
      macs: nodeMacs,
      receptiveField: f.rf,
      jump: f.jump,
      source: { file: node.span.file, line: node.span.start.line, col: node.span.start.col },
    });
  }
  const shapeOf = (id: number) => ['N' as const, ...graph.nodes[id]!.shape];
  return {
    model: graph.model,
    file: graph.file,
    inputs: graph.inputs.map((i) => ({ name: i.name, shape: shapeOf(i.node) })),
    outputs: graph.outputs.map((o) => ({ name: o.name, shape: shapeOf(o.node) })),
    params: { learnable, buffers, trainable: learnable - frozen, frozen },
    macs,
    flops: 2 * macs,
    memory: { weights: (learnable + buffers) * BYTES_PER_FLOAT, activations: activations * BYTES_PER_FLOAT },
    layers,
  };
}

/**
 * RF_out = RF_in + (k_eff − 1)·jump_in and jump_out = jump_in·stride, along the height axis; a
 * merge takes the widest field among its inputs.
 */
function receptiveField(node: IrNode, known: readonly { rf: number; jump: number }[], step?: { kernel: number; stride: number; dilation: number }) {
  let rf = 1;
  let jump = 1;
  for (const i of node.inputs) {
    const f = known[i]!;
    if (f.rf > rf || (f.rf === rf && f.jump > jump)) {
      rf = f.rf;
      jump = f.jump;
    }
  }
  if (!step) return { rf, jump };
  const keff = step.dilation * (step.kernel - 1) + 1;
  return { rf: rf + (keff - 1) * jump, jump: jump * step.stride };
}
