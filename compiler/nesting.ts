// Layers grouped by their dotted names, the way torchinfo nests a PyTorch module tree: the layer
// `layer1.0.conv1` sits in group `layer1.0`, which sits in `layer1`. `summary --depth N` prints the
// groups down to depth N with their totals; `graph --depth N` collapses each group below depth N
// into one node. Names follow the block call path (or the published model's module names), so the
// groups are the blocks as written.
import type { IrGraph } from './ir.js';
import type { LayerReport } from './report.js';

export interface NestedRow {
  /** Full dotted name of the layer or group. */
  readonly name: string;
  /** 1 for top-level layers and groups. */
  readonly depth: number;
  /** The op of a layer, or 'block' for a group. */
  readonly op: string;
  /** Layers in a group (1 for a layer). */
  readonly layers: number;
  /** The output of the group's last layer in graph order. */
  readonly outputShape: readonly (number | 'N')[];
  readonly params: number;
  readonly buffers: number;
  readonly macs: number;
  /** 'yes' (all learnable parameters train), 'no' (all frozen), 'partial', or '' (no parameters). */
  readonly trainable: 'yes' | 'no' | 'partial' | '';
}

const prefix = (name: string, depth: number): string => name.split('.').slice(0, depth).join('.');
const segments = (name: string): number => name.split('.').length;

/** Rows in first-appearance order: each group, then its members, down to `maxDepth`. */
export function nestLayers(layers: readonly LayerReport[], maxDepth: number): NestedRow[] {
  interface Acc {
    name: string;
    depth: number;
    op: string;
    layers: number;
    outputShape: readonly (number | 'N')[];
    params: number;
    buffers: number;
    macs: number;
    trainableParams: number;
    frozenParams: number;
  }
  const rows = new Map<string, Acc>();
  for (const l of layers) {
    const n = segments(l.name);
    for (let d = 1; d <= Math.min(n, maxDepth); d++) {
      const key = prefix(l.name, d);
      const isLayer = d === n;
      let acc = rows.get(key);
      if (!acc) {
        acc = { name: key, depth: d, op: isLayer ? l.op : 'block', layers: 0, outputShape: l.outputShape, params: 0, buffers: 0, macs: 0, trainableParams: 0, frozenParams: 0 };
        rows.set(key, acc);
      }
      acc.layers++;
      acc.outputShape = l.outputShape;
      acc.params += l.params;
      acc.buffers += l.buffers;
      acc.macs += l.macs;
      if (l.frozen) acc.frozenParams += l.params;
      else acc.trainableParams += l.params;
    }
  }
  return [...rows.values()].map(({ trainableParams, frozenParams, ...r }) => ({
    ...r,
    trainable: trainableParams && frozenParams ? 'partial' : trainableParams ? 'yes' : frozenParams ? 'no' : '',
  }));
}

export interface CollapsedNode {
  readonly id: string;
  /** The layer or group name. */
  readonly name: string;
  /** The op, or 'block' for a collapsed group. */
  readonly op: string;
  readonly layers: number;
  readonly params: number;
  readonly buffers: number;
  readonly macs: number;
  readonly outputShape: readonly number[];
}

export interface CollapsedEdge {
  readonly from: string;
  readonly to: string;
  /** The per-sample shape flowing along the edge. */
  readonly shape: readonly number[];
}

export interface CollapsedGraph {
  readonly model: string;
  readonly nodes: readonly CollapsedNode[];
  readonly edges: readonly CollapsedEdge[];
}

/**
 * The graph with every layer deeper than `depth` folded into its depth-`depth` group; groups named
 * in `expanded` (the playground's clicked boxes) open one level further each.
 */
export function collapseGraph(graph: IrGraph, layers: readonly LayerReport[], depth: number, expanded: ReadonlySet<string> = new Set()): CollapsedGraph {
  const byName = new Map(layers.map((l) => [l.name, l]));
  const fold = (name: string): string => {
    const n = segments(name);
    let d = Math.min(depth, n);
    while (d < n && expanded.has(prefix(name, d))) d++;
    return prefix(name, d);
  };
  const keyOf = graph.nodes.map((n) => fold(n.name));
  const indexOf = new Map(graph.nodes.map((n, i) => [n.id, i]));
  const nodes = new Map<string, { id: string; name: string; op: string; layers: number; params: number; buffers: number; macs: number; outputShape: readonly number[] }>();
  graph.nodes.forEach((node, i) => {
    const key = keyOf[i]!;
    let acc = nodes.get(key);
    if (!acc) nodes.set(key, (acc = { id: `n${nodes.size}`, name: key, op: key === node.name ? node.op : 'block', layers: 0, params: 0, buffers: 0, macs: 0, outputShape: node.shape }));
    const l = byName.get(node.name);
    acc.layers++;
    acc.params += l?.params ?? 0;
    acc.buffers += l?.buffers ?? 0;
    acc.macs += l?.macs ?? 0;
    acc.outputShape = node.shape;
  });
  const edges: CollapsedEdge[] = [];
  const seen = new Set<string>();
  graph.nodes.forEach((node, i) => {
    for (const inputId of node.inputs) {
      const input = indexOf.get(inputId)!;
      const from = nodes.get(keyOf[input]!)!.id;
      const to = nodes.get(keyOf[i]!)!.id;
      const shape = graph.nodes[input]!.shape;
      const key = `${from}>${to}>${shape.join('x')}`;
      if (from === to || seen.has(key)) continue;
      seen.add(key);
      edges.push({ from, to, shape });
    }
  });
  return { model: graph.model, nodes: [...nodes.values()], edges };
}
