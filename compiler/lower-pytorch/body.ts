// The Python text of one module: the __init__ lines that build its submodules and parameters, and
// forward(), one line per op or child module, with intermediate tensors named and reused along
// chains (`x = self.conv1(x)`), as a person writes PyTorch. Numbers are written as literals here;
// classes.ts turns those that differ between instances of a block into constructor arguments.
import type { IrGraph } from '../ir.js';
import type { WeightSpec } from '../ops/op.js';
import { lookupOp } from '../ops/registry.js';
import { pyFloat } from './lowering.js';
import type { Planner, Unit } from './plan.js';
import type { Scope, ScopeTree } from './scopes.js';

const KEYWORDS = new Set(
  ('False None True and as assert async await break class continue def del elif else except finally for from global if import ' +
    'in is lambda nonlocal not or pass raise return try while with yield').split(' '),
);
/** Names a generated variable must not take: keywords, the imports, common builtins. */
const RESERVED = new Set([...KEYWORDS, 'self', 'torch', 'nn', 'F', 'input', 'type', 'len', 'max', 'min', 'sum', 'list', 'id', 'slice', 'range', 'map', 'filter', 'abs', 'pow', 'round', 'all', 'any', 'object', 'super', 'print']);

export const isIdentifier = (s: string): boolean => /^[A-Za-z_][A-Za-z0-9_]*$/.test(s) && !KEYWORDS.has(s);

/** `self.layer1.conv1`, or getattr for names Python attributes cannot spell (`0`). */
export function attrPath(base: string, segments: readonly string[]): string {
  return segments.reduce((expr, s) => (isIdentifier(s) ? `${expr}.${s}` : `getattr(${expr}, '${s}')`), base);
}

/** A variable name made of a tensor or module name. */
export function variableName(raw: string): string {
  let name = raw.replace(/[^A-Za-z0-9_]/g, '_');
  if (!/^[A-Za-z_]/.test(name)) name = `x_${name}`;
  return RESERVED.has(name) ? `${name}_` : name;
}

export interface BodyContext {
  readonly graph: IrGraph;
  readonly tree: ScopeTree;
  readonly planner: Planner;
  /** The expression building a child module: `Basic(64, 128, 2)` or an nn.Sequential. */
  childExpr(scope: Scope): string;
}

/** `self.<name> = <expr>` lines of __init__ (an expression may span lines). */
export function constructorLines(scope: Scope, ctx: BodyContext): string[] {
  const lines: string[] = [];
  for (const raw of scope.raw) lines.push(registerWeight(raw.attr, raw.spec));
  for (const segment of scope.members) {
    const child = scope.children.get(segment);
    const leaf = scope.leaves.get(segment);
    let expr: string | undefined;
    if (child) expr = ctx.childExpr(child);
    else if (leaf && ctx.tree.moduleNodes.has(leaf.id)) expr = leafModule(leaf.id, ctx.graph);
    if (expr === undefined) continue;
    lines.push(isIdentifier(segment) ? `self.${segment} = ${expr}` : `self.add_module('${segment}', ${expr})`);
  }
  return lines;
}

/** nn.Sequential(...) of the scope's members, one per line. */
export function sequentialExpr(scope: Scope, ctx: BodyContext): string {
  const items = scope.members.map((segment) => {
    const child = scope.children.get(segment);
    if (child) return ctx.childExpr(child);
    return leafModule(scope.leaves.get(segment)!.id, ctx.graph);
  });
  return `nn.Sequential(\n${items.map((i) => `${indent(i)},`).join('\n')}\n)`;
}

function leafModule(id: number, graph: IrGraph): string {
  const node = graph.nodes[id]!;
  const shapes = node.inputs.map((i) => graph.nodes[i]!.shape);
  return lookupOp(node.op)!.pytorch.module!(node.attrs, shapes)!;
}

export const indent = (text: string, by = '    '): string => text.split('\n').map((l) => (l ? by + l : l)).join('\n');

/** A weight whose name does not nest under its op: a raw nn.Parameter or buffer. */
function registerWeight(attr: string, spec: WeightSpec): string {
  const dims = spec.shape.length === 0 ? '()' : spec.shape.join(', ');
  const tuple = spec.shape.length === 1 ? `(${dims},)` : spec.shape.length === 0 ? '()' : `(${dims})`;
  const init: Record<WeightSpec['init'], string> = {
    zeros: `torch.zeros(${dims})`,
    ones: `torch.ones(${dims})`,
    constant: spec.values
      ? `torch.tensor([${spec.values.map(pyFloat).join(', ')}]).reshape(${tuple})`
      : `torch.full(${tuple}, ${pyFloat(spec.value ?? 0)})`,
    normal: `torch.empty(${dims}).normal_(std=${pyFloat(spec.value ?? 1)})`,
    he: `nn.init.kaiming_uniform_(torch.empty(${dims}))`,
    glorot: `nn.init.xavier_uniform_(torch.empty(${dims}))`,
    uniform: `torch.rand(${dims})`,
  };
  if (spec.role === 'buffer') return `self.register_buffer('${attr}', ${init[spec.init]})`;
  const param = `nn.Parameter(${init[spec.init]})`;
  return isIdentifier(attr) ? `self.${attr} = ${param}` : `self.register_parameter('${attr}', ${param})`;
}

export interface Forward {
  readonly params: readonly string[];
  readonly lines: readonly string[];
}

/** forward(): each unit once, in data-flow order, intermediate tensors named along chains. */
export function forwardBody(scope: Scope, ctx: BodyContext): Forward {
  const { graph, planner } = ctx;
  const root = scope === ctx.tree.root;
  const units = planner.units.get(scope)!;
  const io = planner.interfaceOf(scope);
  const taken = new Set<string>();
  const fresh = (base: string): string => {
    let name = variableName(base);
    for (let k = 2; taken.has(name); k++) name = `${variableName(base)}${k}`;
    taken.add(name);
    return name;
  };
  // The model's output names are kept for its outputs.
  if (root) for (const o of graph.outputs) taken.add(variableName(o.name));
  const params = root
    ? graph.inputs.map((i) => fresh(i.name))
    : io.inputs.map((_, k) => fresh(io.inputs.length === 1 ? 'x' : `x${k + 1}`));
  const varOf = new Map<number, string>();
  io.inputs.forEach((id, k) => varOf.set(id, params[k]!));
  const outputs = new Set(io.outputs);
  // The last unit reading each tensor: after it, its variable may be reassigned.
  const reads = units.map((u) => (u.scope ? planner.interfaceOf(u.scope).inputs : unitReads(u, graph)));
  const lastUse = new Map<number, number>();
  reads.forEach((r, k) => r.forEach((i) => lastUse.set(i, k)));
  // Until which unit each variable's value is still needed (Infinity: an output of the module).
  const busy = new Map<string, number>();
  const bind = (id: number, name: string) => {
    varOf.set(id, name);
    busy.set(name, Math.max(busy.get(name) ?? -1, outputs.has(id) ? Infinity : (lastUse.get(id) ?? -1)));
  };
  io.inputs.forEach((id, k) => bind(id, params[k]!));
  const free = (name: string, k: number): boolean => !(root && params.includes(name)) && (busy.get(name) ?? -1) <= k;
  const lines: string[] = [];
  units.forEach((u, k) => {
    const unitReads = reads[k]!;
    const produced = u.scope ? planner.interfaceOf(u.scope).outputs : [u.node!];
    const expr = unitExpr(u, scope, ctx, varOf);
    if (u.node !== undefined && unitReads.some((r) => varOf.get(r) === expr)) {
      bind(u.node, expr);
      return;
    }
    const names = produced.map((id, j) => {
      const output = root ? graph.outputs.find((o) => o.node === id) : undefined;
      if (output) {
        taken.delete(variableName(output.name));
        return fresh(output.name);
      }
      if (j === 0) {
        const reuse = unitReads.map((r) => varOf.get(r)!).find((v) => free(v, k));
        if (reuse) return reuse;
      }
      // A branch (its input is read again later) is named after its module: `downsample`, `branch3x3`.
      const segment = u.ref.at(-1)!;
      const branch = unitReads.some((r) => outputs.has(r) || (lastUse.get(r) ?? -1) > k);
      if (u.scope && branch && isIdentifier(segment) && !/^\d/.test(segment)) return fresh(produced.length > 1 ? `${segment}_${j + 1}` : segment);
      return fresh(['x', 'y', 'z'].find((n) => !taken.has(n)) ?? 't');
    });
    produced.forEach((id, j) => bind(id, names[j]!));
    lines.push(`${names.join(', ')} = ${expr}`);
  });
  const results = io.outputs.map((id) => varOf.get(id)!);
  lines.push(`return ${results.join(', ')}`);
  return { params, lines };
}

/** Tensors from outside the unit that it reads, in order. */
function unitReads(u: Unit, graph: IrGraph): number[] {
  const inside = new Set(u.nodes);
  const reads: number[] = [];
  for (const id of u.nodes) for (const i of graph.nodes[id]!.inputs) if (!inside.has(i) && !reads.includes(i)) reads.push(i);
  return reads;
}

function unitExpr(u: Unit, scope: Scope, ctx: BodyContext, varOf: ReadonlyMap<number, string>): string {
  const { graph, tree, planner } = ctx;
  if (u.scope) {
    const inputs = planner.interfaceOf(u.scope).inputs.map((i) => varOf.get(i)!);
    return `${attrPath('self', u.ref)}(${inputs.join(', ')})`;
  }
  const node = graph.nodes[u.node!]!;
  const lowering = lookupOp(node.op)!.pytorch;
  const raw = tree.rawPaths.get(node.id);
  const relative = (full: string) => full.slice(scope.path ? scope.path.length + 1 : 0).split('.');
  return lowering.forward({
    attrs: node.attrs,
    inputs: node.inputs.map((i) => varOf.get(i)!),
    inputShapes: node.inputs.map((i) => graph.nodes[i]!.shape),
    shape: node.shape,
    module: tree.moduleNodes.has(node.id) ? attrPath('self', u.ref) : undefined,
    weight: (short) => (raw?.get(short) ? attrPath('self', relative(raw.get(short)!)) : attrPath('self', [...u.ref, short])),
  });
}
