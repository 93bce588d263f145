// Where a graph can be cut into units: after node i, if the only tensor still needed later is node
// i's own result, everything before it is one finished piece (a residual unit ends at its add, an
// inception module at its concat). Runs of plain chain ops between such pieces are grouped by the
// module path their weights carry (`features.2.conv.0.0` → `features.2`), at the depth the
// multi-op pieces show, so an inverted residual without a skip is a unit too.
import type { LiftedGraph, LiftedNode } from './graph.js';
import { weightPath } from './emit.js';

const FINISHING = new Set(['relu', 'relu6', 'leaky_relu', 'elu', 'selu', 'gelu', 'silu', 'swish', 'hardswish', 'hardsigmoid', 'sigmoid', 'tanh', 'channel_shuffle']);

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
  // reachBefore[id]: the furthest any tensor before node id is still used, so each cut test is O(1).
  const reachBefore = new Array<number>(nodes.length);
  for (let v = 0, reach = -1; v < nodes.length; v++) {
    reachBefore[v] = reach;
    reach = Math.max(reach, lastUse[v]!);
  }
  const cut = (id: number): boolean => lastUse[id]! > id && reachBefore[id]! <= id;
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
  // Groups grow in place with their module path kept up to date, so a long chain of joined pieces
  // (thousands of activations in a row) costs linear time.
  const groups: Group[] = [];
  for (const piece of pieces) {
    const last = groups.at(-1);
    const node = nodes[piece[0]!]!;
    const path = modulePath(node, depth);
    // An activation (no weights, one input) finishes whatever came before it: a residual unit's
    // relu after its add belongs to the unit, as does a ShuffleNet unit's channel shuffle.
    const joinsActivation = piece.length === 1 && last && FINISHING.has(node.op);
    // Pieces of one module (an inverted residual without a skip: expand, depthwise, SE, project).
    const piecePath = piece.length === 1 ? path : segmentPath(nodes, piece, depth);
    const joinsModule = last && depth > 0 && piecePath !== undefined && groupPath(last) === piecePath;
    if (joinsActivation || joinsModule) addTo(last!, nodes, piece, depth);
    else groups.push(addTo({ ids: [], mixed: false }, nodes, piece, depth));
  }
  return groups.map((g) => segment(nodes, g.ids));
}

/** Node ids of a segment being built, and the one module path of their weights (unless mixed). */
interface Group {
  readonly ids: number[];
  path?: string;
  mixed: boolean;
}

function addTo(group: Group, nodes: readonly LiftedNode[], ids: readonly number[], depth: number): Group {
  for (const id of ids) {
    group.ids.push(id);
    const p = modulePath(nodes[id]!, depth);
    if (p === undefined) continue;
    if (group.path === undefined && !group.mixed) group.path = p;
    else if (group.path !== p) group.mixed = true;
  }
  return group;
}

/** segmentPath of the group's nodes, kept incrementally. */
const groupPath = (g: Group): string | undefined => (g.mixed ? undefined : g.path);

function segment(nodes: readonly LiftedNode[], ids: readonly number[]): Segment {
  const inside = new Set(ids);
  // The first outside tensor read (a segment may open with an op of no input: a param).
  const input = ids.flatMap((id) => nodes[id]!.inputs).find((i) => !inside.has(i)) ?? nodes[ids[0]!]!.inputs[0]!;
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
  let n = paths.reduce((m, p) => Math.min(m, p.length - 1), Infinity);
  while (n > 0 && !paths.every((p) => p.slice(0, n).join('.') === paths[0]!.slice(0, n).join('.'))) n--;
  return n > 0 ? paths[0]!.slice(0, n).join('.') : undefined;
}

/** The depth of the shallowest multi-op piece's module path: the unit level (0 when none has one). */
function shallowest(prefixes: readonly (string | undefined)[]): number {
  const depths = prefixes.filter((p): p is string => p !== undefined).map((p) => p.split('.').length);
  return depths.length > 0 ? depths.reduce((a, b) => Math.min(a, b)) : 0;
}
