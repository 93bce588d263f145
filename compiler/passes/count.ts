// count: per-layer and total parameters, buffers, MACs, receptive field and memory, all derived
// from the ops' declared weights and MAC rules.
import type { IrGraph, IrNode } from '../ir.js';
import { elementCount } from '../ir.js';
import { lookupOp } from '../ops/registry.js';
import type { LayerReport, ModelReport } from '../report.js';

const BYTES_PER_FLOAT = 4;

export function count(graph: IrGraph): ModelReport {
  // Per-node figures in flat arrays; the per-layer rows are built only when read (summary, the
  // language server): \`check\` of a 150,000-node model needs the totals, not 150,000 row objects.
  const n = graph.nodes.length;
  const paramsOf = new Float64Array(n);
  const buffersOf = new Float64Array(n);
  const macsOf = new Float64Array(n);
  const rfOf = new Float64Array(n);
  const jumpOf = new Float64Array(n);
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
    receptiveField(node, rfOf, jumpOf, op?.field?.(node.attrs, inputShapes));
    paramsOf[node.id] = params;
    buffersOf[node.id] = bufs;
    macsOf[node.id] = nodeMacs;
    learnable += params;
    buffers += bufs;
    if (node.frozen) frozen += params;
    macs += nodeMacs;
    activations += elementCount(node.shape);
  }
  const rows = (): LayerReport[] =>
    graph.nodes.map((node) => ({
      name: node.name,
      op: node.op,
      inputs: node.inputs.map((i) => graph.nodes[i]!.name),
      outputShape: ['N', ...node.shape],
      params: paramsOf[node.id]!,
      buffers: buffersOf[node.id]!,
      frozen: node.frozen,
      macs: macsOf[node.id]!,
      receptiveField: rfOf[node.id]!,
      jump: jumpOf[node.id]!,
      source: { file: node.span.file, line: node.span.start.line, col: node.span.start.col },
    }));
  const shapeOf = (id: number) => ['N' as const, ...graph.nodes[id]!.shape];
  let layers: LayerReport[] | undefined;
  return {
    model: graph.model,
    file: graph.file,
    inputs: graph.inputs.map((i) => ({ name: i.name, shape: shapeOf(i.node) })),
    outputs: graph.outputs.map((o) => ({ name: o.name, shape: shapeOf(o.node) })),
    params: { learnable, buffers, trainable: learnable - frozen, frozen },
    macs,
    flops: 2 * macs,
    memory: { weights: (learnable + buffers) * BYTES_PER_FLOAT, activations: activations * BYTES_PER_FLOAT },
    // A getter is enumerable: spreading or serializing the report includes the rows as before.
    get layers() {
      return (layers ??= rows());
    },
  };
}

/**
 * RF_out = RF_in + (k_eff − 1)·jump_in and jump_out = jump_in·stride, along the height axis; a
 * merge takes the widest field among its inputs.
 */
function receptiveField(node: IrNode, rfOf: Float64Array, jumpOf: Float64Array, step?: { kernel: number; stride: number; dilation: number }): void {
  let rf = 1;
  let jump = 1;
  for (const i of node.inputs) {
    const [r, j] = [rfOf[i]!, jumpOf[i]!];
    if (r > rf || (r === rf && j > jump)) {
      rf = r;
      jump = j;
    }
  }
  const keff = step ? step.dilation * (step.kernel - 1) + 1 : 1;
  rfOf[node.id] = rf + (keff - 1) * jump;
  jumpOf[node.id] = jump * (step?.stride ?? 1);
}
