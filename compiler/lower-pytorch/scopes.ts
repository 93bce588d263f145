// The module tree of a generated PyTorch model, derived from the dotted names alone: every name
// prefix (`layer1`, `layer1.basic1`) is an nn.Module, so `state_dict()` keys are archc's weight
// names whatever they are. An op whose weights are `<node>.<short>` owns a torch module at its own
// path (`nn.Conv2d` at `layer1.basic1.conv1`); weights named otherwise are registered as raw
// parameters in the module their name prefix designates.
import type { BlockCall, IrGraph, IrNode } from '../ir.js';
import type { WeightSpec } from '../ops/op.js';
import { lookupOp } from '../ops/registry.js';
import { declaredWeights } from '../weights/tensor.js';

export interface RawWeight {
  /** The attribute in its owner module (`class_token`, `in_proj_weight`). */
  readonly attr: string;
  readonly spec: WeightSpec;
  readonly node: IrNode;
}

/** How a scope appears in its parent: a class with forward(), an nn.Sequential, or a mere holder. */
export type ScopeMode = 'class' | 'sequential' | 'container';

export interface Scope {
  /** Dotted path; '' for the model itself. */
  readonly path: string;
  /** The last path segment ('' for the model). */
  readonly segment: string;
  readonly parent?: Scope;
  readonly children: Map<string, Scope>;
  /** Op nodes directly in this scope, by their last name segment. */
  readonly leaves: Map<string, IrNode>;
  /** Child scope and leaf segments, in order of first appearance. */
  readonly members: string[];
  /** Every op node id in this scope and below, ascending (added in graph order). */
  readonly nodes: Set<number>;
  readonly raw: RawWeight[];
  /** The block call that produced this scope, when one did. */
  block?: BlockCall;
  mode: ScopeMode;
  /** Height in the tree: 0 when no child scope has a class (grouping goes bottom-up). */
  height: number;
}

export interface ScopeTree {
  readonly root: Scope;
  /** Op nodes whose torch module (nn.Conv2d...) holds their weights under their own name. */
  readonly moduleNodes: ReadonlySet<number>;
  /** Weights of the other nodes: node id → short name → Python attribute path from the model. */
  readonly rawPaths: ReadonlyMap<number, ReadonlyMap<string, string>>;
  /** Names that cannot nest as modules (a weight under a leaf op, a node that is also a prefix). */
  readonly conflicts: readonly { node: IrNode; message: string }[];
}

const newScope = (path: string, parent?: Scope): Scope => ({
  path,
  segment: path.slice(path.lastIndexOf('.') + 1),
  parent,
  children: new Map(),
  leaves: new Map(),
  members: [],
  nodes: new Set(),
  raw: [],
  mode: 'class',
  height: 0,
});

export function buildScopes(graph: IrGraph): ScopeTree {
  const root = newScope('');
  const conflicts: { node: IrNode; message: string }[] = [];
  const scopeAt = (path: string): Scope => {
    let scope = root;
    if (path === '') return scope;
    for (const segment of path.split('.')) {
      let child = scope.children.get(segment);
      if (!child) {
        child = newScope(scope.path ? `${scope.path}.${segment}` : segment, scope);
        scope.children.set(segment, child);
        scope.members.push(segment);
      }
      scope = child;
    }
    return scope;
  };
  for (const node of graph.nodes) {
    if (node.op === 'input') continue;
    const cut = node.name.lastIndexOf('.');
    const scope = scopeAt(cut < 0 ? '' : node.name.slice(0, cut));
    const segment = node.name.slice(cut + 1);
    scope.leaves.set(segment, node);
    scope.members.push(segment);
    for (let s: Scope | undefined = scope; s; s = s.parent) s.nodes.add(node.id);
  }
  // Block calls name their scope even when the scope's nodes all sit deeper.
  const seen = new Set<BlockCall>();
  for (const node of graph.nodes) {
    for (const call of node.blocks ?? []) {
      if (call.path === undefined || seen.has(call)) continue;
      seen.add(call);
      const scope = findScope(root, call.path);
      if (scope && !scope.block) scope.block = call;
    }
  }
  const moduleNodes = new Set<number>();
  const rawPaths = new Map<number, Map<string, string>>();
  const byNode = new Map<number, { name: string; spec: WeightSpec; node: IrNode }[]>();
  for (const w of declaredWeights(graph)) byNode.set(w.node.id, [...(byNode.get(w.node.id) ?? []), w]);
  for (const [id, weights] of byNode) {
    const node = graph.nodes[id]!;
    const nested = weights.every((w) => w.name === `${node.name}.${w.spec.name}`);
    if (nested && lookupOp(node.op)?.pytorch.module) {
      moduleNodes.add(id);
      continue;
    }
    const paths = new Map<string, string>();
    for (const w of weights) {
      const cut = w.name.lastIndexOf('.');
      const ownerPath = cut < 0 ? '' : w.name.slice(0, cut);
      if (leafAt(root, ownerPath)) {
        conflicts.push({ node, message: `weight '${w.name}' would live inside op '${ownerPath}', which is not a module that can hold it` });
        continue;
      }
      const owner = scopeAt(ownerPath);
      owner.raw.push({ attr: w.name.slice(cut + 1), spec: w.spec, node });
      paths.set(w.spec.name, w.name);
    }
    rawPaths.set(id, paths);
  }
  const visit = (scope: Scope): void => {
    for (const [segment, child] of scope.children) {
      if (scope.leaves.has(segment)) conflicts.push({ node: scope.leaves.get(segment)!, message: `'${child.path}' names both an op and a group of ops` });
      visit(child);
    }
  };
  visit(root);
  return { root, moduleNodes, rawPaths, conflicts };
}

function findScope(root: Scope, path: string): Scope | undefined {
  let scope: Scope | undefined = root;
  if (path === '') return root;
  for (const segment of path.split('.')) scope = scope?.children.get(segment);
  return scope;
}

function leafAt(root: Scope, path: string): boolean {
  const cut = path.lastIndexOf('.');
  const parent = findScope(root, cut < 0 ? '' : path.slice(0, cut));
  return parent?.leaves.has(path.slice(cut + 1)) ?? false;
}
