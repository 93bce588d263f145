// Module paths for weights the exporter left anonymous. PyTorch's TorchScript exporter folds each
// batch norm into the conv before it by default, and the folded tensors are new initializers named
// `onnx::Conv_650`; the node keeps its module's scope path in its name,
// `/features/features.1/features.1.0/block/block.0/block.0.0/Conv`. Such weights are named after that
// path (`features.1.0.block.0.0.weight`), so that the file names its layers as the model did and the
// blocks and stages are found by path as in an export that kept its names. A path already used by
// another node (a module called twice) stays unused: names must be unique.
import { weightPath } from './emit.js';
import type { LiftedGraph, LiftedNode } from './graph.js';

/** `onnx::Conv_650`, `123`: a tensor name that says nothing about where the tensor belongs. */
const anonymous = (name: string): boolean => name.startsWith('onnx::') || /^\d+$/.test(name);

/**
 * The module path in a TorchScript node name, or undefined for a name without one. Each scope is
 * named relative to its container, a Sequential's children extending their container's name:
 * `/features/features.1/features.1.0/block/block.0/block.0.0/Conv` → `features.1.0.block.0.0`.
 */
export function scopePath(nodeName: string): string | undefined {
  if (!nodeName.startsWith('/')) return undefined;
  const scopes = nodeName.split('/').filter((p) => p !== '').slice(0, -1);
  let base = '';
  let local = '';
  for (const scope of scopes) {
    if (local && scope.startsWith(`${local}.`)) local = scope;
    else [base, local] = [base && local ? `${base}.${local}` : base || local, scope];
  }
  const path = base && local ? `${base}.${local}` : base || local;
  return /^[A-Za-z_][A-Za-z0-9_.]*$/.test(path) ? path : undefined;
}

export function nameAnonymousWeights(graph: LiftedGraph): LiftedGraph {
  const taken = new Set(graph.nodes.map(weightPath).filter((p): p is string => p !== undefined));
  const paths = graph.nodes.map(unnamedPath);
  const wanted = new Map<string, number>();
  for (const path of paths) if (path !== undefined) wanted.set(path, (wanted.get(path) ?? 0) + 1);
  const nodes = graph.nodes.map((n, i): LiftedNode => {
    const path = paths[i];
    if (path === undefined || taken.has(path) || wanted.get(path) !== 1) return n;
    const weights = new Map([...n.weights].map(([short, t]) => [short, { ...t, name: short === '' ? path : `${path}.${short}` }]));
    return { ...n, weights };
  });
  return { ...graph, nodes };
}

/** The scope path for a node whose weights all have anonymous names. */
function unnamedPath(n: LiftedNode): string | undefined {
  if (n.weights.size === 0 || weightPath(n) !== undefined || ![...n.weights.values()].every((t) => anonymous(t.name))) return undefined;
  return scopePath(n.origin);
}
