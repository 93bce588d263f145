// What each module's forward() computes, and in which order. A scope's forward calls its child
// modules and its own ops ("units") in an order that respects the data flow between them. A child
// scope that cannot be called as one unit (the flow leaves it and comes back, or it uses a weight
// registered outside it) becomes a container: it holds its modules, and the parent calls them
// one by one. A scope whose units are children named 0, 1, 2, ... in a simple chain becomes an
// nn.Sequential, as torchvision writes its `features` and `downsample`.
import type { IrGraph } from '../ir.js';
import { lookupOp } from '../ops/registry.js';
import type { Scope, ScopeTree } from './scopes.js';

export interface Unit {
  /** The op node, for an op of this scope (or of a container below it). */
  readonly node?: number;
  /** The child scope called as one module. */
  readonly scope?: Scope;
  /** Attribute path from the planning scope (through containers). */
  readonly ref: readonly string[];
  /** Op node ids the unit computes, ascending. */
  readonly nodes: readonly number[];
}

export interface Interface {
  /** Tensors from outside the scope it reads, in order of first use. */
  readonly inputs: readonly number[];
  /** Its tensors read outside it (or model outputs), in graph order. */
  readonly outputs: readonly number[];
}

export class Planner {
  /** Consumers of each node's output. */
  private readonly consumers: number[][];
  private readonly outputs: Set<number>;
  readonly units = new Map<Scope, Unit[]>();

  constructor(
    private readonly graph: IrGraph,
    private readonly tree: ScopeTree,
  ) {
    this.consumers = graph.nodes.map(() => []);
    for (const n of graph.nodes) for (const i of n.inputs) this.consumers[i]!.push(n.id);
    this.outputs = new Set(graph.outputs.map((o) => o.node));
  }

  /** Plans every scope from the model down: units, containers, sequentials. */
  run(): void {
    const visit = (scope: Scope): void => {
      const units = this.plan(scope);
      this.units.set(scope, units);
      if (scope !== this.tree.root && this.isSequential(scope, units)) scope.mode = 'sequential';
      for (const u of units) if (u.scope) visit(u.scope);
    };
    visit(this.tree.root);
  }

  private readonly interfaces = new Map<Scope, Interface>();

  interfaceOf(scope: Scope): Interface {
    let io = this.interfaces.get(scope);
    if (!io) {
      io = this.computeInterface(scope);
      this.interfaces.set(scope, io);
    }
    return io;
  }

  private computeInterface(scope: Scope): Interface {
    if (scope === this.tree.root) return { inputs: this.graph.inputs.map((i) => i.node), outputs: this.graph.outputs.map((o) => o.node) };
    const ids = [...scope.nodes];
    const inputs = new Set<number>();
    for (const id of ids) for (const i of this.graph.nodes[id]!.inputs) if (!scope.nodes.has(i)) inputs.add(i);
    const outputs = ids.filter((id) => this.outputs.has(id) || this.consumers[id]!.some((c) => !scope.nodes.has(c)));
    return { inputs: [...inputs], outputs };
  }

  consumersOf(id: number): readonly number[] {
    return this.consumers[id]!;
  }

  isModelOutput(id: number): boolean {
    return this.outputs.has(id);
  }

  /** The scope's units in a valid order, demoting child scopes that cannot be one call. */
  private plan(scope: Scope): Unit[] {
    for (;;) {
      const units = this.collect(scope, []);
      const bad = units.find((u) => u.scope && !this.selfContained(u.scope));
      if (bad) {
        bad.scope!.mode = 'container';
        continue;
      }
      const ordered = this.order(units);
      if (Array.isArray(ordered)) return ordered;
      ordered.mode = 'container';
    }
  }

  private collect(scope: Scope, prefix: readonly string[]): Unit[] {
    const units: Unit[] = [];
    for (const segment of scope.members) {
      const ref = [...prefix, segment];
      const leaf = scope.leaves.get(segment);
      if (leaf) units.push({ node: leaf.id, ref, nodes: [leaf.id] });
      const child = scope.children.get(segment);
      if (!child || child.nodes.size === 0) continue;
      if (child.mode === 'container') units.push(...this.collect(child, ref));
      else units.push({ scope: child, ref, nodes: [...child.nodes] });
    }
    return units;
  }

  /** A scope can be one call only if the weights its ops use are registered inside it. */
  private selfContained(scope: Scope): boolean {
    for (const id of scope.nodes) {
      for (const path of this.tree.rawPaths.get(id)?.values() ?? []) if (!path.startsWith(`${scope.path}.`)) return false;
    }
    return true;
  }

  /** Kahn's algorithm over units, earliest node first; on a cycle, the scope to demote. */
  private order(units: Unit[]): Unit[] | Scope {
    const unitOf = new Map<number, number>();
    units.forEach((u, k) => u.nodes.forEach((id) => unitOf.set(id, k)));
    const deps = units.map((u, k) => {
      const set = new Set<number>();
      for (const id of u.nodes) for (const i of this.graph.nodes[id]!.inputs) {
        const d = unitOf.get(i);
        if (d !== undefined && d !== k) set.add(d);
      }
      return set;
    });
    const done = new Set<number>();
    const out: Unit[] = [];
    while (out.length < units.length) {
      let next = -1;
      for (let k = 0; k < units.length; k++) {
        if (done.has(k) || [...deps[k]!].some((d) => !done.has(d))) continue;
        if (next < 0 || units[k]!.nodes[0]! < units[next]!.nodes[0]!) next = k;
      }
      if (next < 0) {
        const stuck = units.filter((u, k) => !done.has(k) && u.scope).sort((a, b) => b.nodes.length - a.nodes.length);
        return stuck[0]!.scope!;
      }
      done.add(next);
      out.push(units[next]!);
    }
    return out;
  }

  /** Children 0..n-1, each a module, each feeding only the next: torchvision's nn.Sequential. */
  private isSequential(scope: Scope, units: readonly Unit[]): boolean {
    if (scope.raw.length > 0 || units.length === 0 || units.length !== scope.members.length) return false;
    const io = this.interfaceOf(scope);
    if (io.inputs.length !== 1 || io.outputs.length !== 1) return false;
    let previous = io.inputs[0]!;
    for (let k = 0; k < units.length; k++) {
      const u = units[k]!;
      if (u.ref.length !== 1 || u.ref[0] !== String(k)) return false;
      if (u.node !== undefined && !this.sequentialSafe(u.node)) return false;
      const inside = u.scope ? u.scope.nodes : new Set(u.nodes);
      const unitIo = u.scope ? this.interfaceOf(u.scope) : { inputs: [...new Set(this.graph.nodes[u.node!]!.inputs)], outputs: [u.node!] };
      if (unitIo.inputs.length !== 1 || unitIo.inputs[0] !== previous) return false;
      if (k > 0 && this.consumers[previous]!.some((c) => !inside.has(c))) return false;
      const leaving = unitIo.outputs;
      if (leaving.length !== 1) return false;
      previous = leaving[0]!;
    }
    return previous === io.outputs[0];
  }

  /** An op whose module form alone computes it (no F.pad around a conv, no functional-only op). */
  private sequentialSafe(id: number): boolean {
    const node = this.graph.nodes[id]!;
    const lowering = lookupOp(node.op)!.pytorch;
    const shapes = node.inputs.map((i) => this.graph.nodes[i]!.shape);
    if (!lowering.module?.(node.attrs, shapes)) return false;
    if (!this.tree.moduleNodes.has(id)) return !this.tree.rawPaths.has(id);
    const ctx = { attrs: node.attrs, inputs: ['x'], inputShapes: shapes, shape: node.shape, module: 'm', weight: () => 'w' };
    return lowering.forward(ctx) === 'm(x)';
  }
}
