// Where a graph can be cut into units: after node i, if the only tensor still needed later is node
// i's own result, everything before it is one finished piece (a residual unit ends at its add, an
// inception module at its concat). Runs of plain chain ops between such pieces are grouped by the
// module path their weights carry (`features.2.conv.0.0` → `features.2`), at the depth the
// multi-op pieces show, so an inverted residual without a skip is a unit too.
import type { LiftedGraph, LiftedNode } from './graph.js';
import { weightPath } from './emit.js';

const ACTIVATIONS = new Set(['relu', 'relu6', 'leaky_relu', 'elu', 'selu', 'gelu', 'silu', 'swish', 'hardswish', 'hardsigmoid', 'sigmoid', 'tanh']);

export interface Segment {
  /** Node ids, consecutive in graph order. */
  readonly nodes: readonly number[];
  /** The tensor entering the segment (its only outside input). */
  readonly input: number;
  /** Common module path of the weights inside (`layer1.0`), if any. */
  readonly prefix?: string;
}

export function segments(graph: LiftedGraph): Segment[] {
  const nodes = graph.nodes;
  const lastUse = nodes.map(() => -1);
  for (const n of nodes) for (const i of n.inputs) lastUse[i] = Math.max(lastUse[i]!, n.id);
  for (const o of graph.outputs) lastUse[o.node] = Infinity;
  const ops = nodes.filter((n) => n.op !== 'input');
  const cut = (id: number): boolean => {
    if (lastUse[id]! <= id) return false;
    for (let v = 0; v < id; v++) if (lastUse[v]! > id) return false;
    return true;
  };
  const pieces: number[][] = [];
  let current: number[] = [];
  for (const n of ops) {
    current.push(n.id);
    if (cut(n.id)) {
      pieces.push(current);
      current = [];
    }
  }
  if (current.length > 0) pieces.push(current);
  const depth = shallowest(pieces.filter((p) => p.length > 1).map((p) => prefixOf(p.map((id) => nodes[id]!))));
  const out: Segment[] = [];
  for (const piece of pieces) {
    const last = out.at(-1);
    const node = nodes[piece[0]!]!;
    const path = modulePath(node, depth);
    // An activation (no weights, one input) finishes whatever came before it: a residual unit's
    // relu after its add belongs to the unit.
    const joinsActivation = piece.length === 1 && last && ACTIVATIONS.has(node.op);
    // Pieces of one module (an inverted residual without a skip: expand, depthwise, SE, project).
    const piecePath = piece.length === 1 ? path : segmentPath(nodes, piece, depth);
    const joinsModule = last && depth > 0 && piecePath !== undefined && segmentPath(nodes, last.nodes, depth) === piecePath;
    if (joinsActivation || joinsModule) out[out.length - 1] = segment(nodes, [...last!.nodes, ...piece]);
    else out.push(segment(nodes, piece));
  }
  return out;
}

function segment(nodes: readonly LiftedNode[], ids: readonly number[]): Segment {
  const inside = new Set(ids);
  const input = nodes[ids[0]!]!.inputs.find((i) => !inside.has(i)) ?? nodes[ids[0]!]!.inputs[0]!;
  const prefix = prefixOf(ids.map((id) => nodes[id]!));
  return { nodes: ids, input, ...(prefix ? { prefix } : {}) };
}

/** The module path of a one-op piece at `depth` components, or undefined without weights. */
function modulePath(node: LiftedNode, depth: number): string | undefined {
  const path = weightPath(node)?.split('.');
  return path && path.length > depth ? path.slice(0, depth).join('.') : undefined;
}

function segmentPath(nodes: readonly LiftedNode[], ids: readonly number[], depth: number): string | undefined {
  const paths = ids.map((id) => modulePath(nodes[id]!, depth)).filter((p) => p !== undefined);
  return paths.length > 0 && paths.every((p) => p === paths[0]) ? paths[0] : undefined;
}

/** The longest dotted prefix shared by the weight paths of the nodes (a strict prefix of each). */
export function prefixOf(nodes: readonly LiftedNode[]): string | undefined {
  const paths = nodes.map(weightPath).filter((p): p is string => p !== undefined).map((p) => p.split('.'));
  if (paths.length === 0) return undefined;
  let n = Math.min(...paths.map((p) => p.length - 1));
  while (n > 0 && !paths.every((p) => p.slice(0, n).join('.') === paths[0]!.slice(0, n).join('.'))) n--;
  return n > 0 ? paths[0]!.slice(0, n).join('.') : undefined;
}

/** The depth of the shallowest multi-op piece's module path: the unit level (0 when none has one). */
function shallowest(prefixes: readonly (string | undefined)[]): number {
  const depths = prefixes.filter((p): p is string => p !== undefined).map((p) => p.split('.').length);
  return depths.length > 0 ? Math.min(...depths) : 0;
}
