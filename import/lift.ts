// ONNX nodes → archc ops. Walks the nodes in topological order and asks the rule for each op type
// (import/rules/) to express it with archc calls. Rules see their inputs as values: a tensor made by
// an earlier call, a constant, a small integer vector (shape arithmetic such as Shape → Gather →
// Concat, evaluated here with the batch axis kept symbolic), or a pending expression (part of a
// pattern such as GELU's erf form, which only becomes an op when the pattern completes). A rule
// may look through its inputs' producers to fuse a standard lowering back into one op (Pad + Conv
// → conv with pad=); the calls it no longer needs are dropped at the end, since nothing reads them.
import type { Shape } from '../compiler/ir.js';
import type { ArgValue } from '../compiler/ops/op.js';
import { infer, LiftError, weightSpecs, type LiftedGraph, type LiftedNode } from './graph.js';
import { isBatch, layoutText, normalized, onnxDims, standardLayout, type IntOrBatch, type Layout } from './layout.js';
import type { AttrValue, ConstTensor, OnnxModel, OnnxNode } from './onnx-read.js';
import { FOLDABLE, foldNode } from './rules/fold.js';
import { rules } from './rules/index.js';

export type { IntOrBatch } from './layout.js';

/**
 * A tensor (with its layout when the exporter moved the batch axis: import/layout.ts), a constant,
 * a shape vector, or a pending expression. The pending `x·c` (a tensor times a scalar) waits for a
 * MatMul that takes the factor as its scale; any other reader gets a `scalar` op.
 */
export type Value =
  | { readonly kind: 'tensor'; readonly id: number; readonly layout?: Layout }
  | { readonly kind: 'const'; readonly t: ConstTensor }
  | { readonly kind: 'ints'; readonly v: readonly IntOrBatch[]; readonly scalar: boolean }
  | { readonly kind: 'expr'; readonly tag: string; readonly x: number; readonly t?: ConstTensor; readonly n?: readonly number[]; readonly layout?: Layout };

/** A tensor and its layout (the usual one spelled out). */
export interface View {
  readonly id: number;
  readonly layout: Layout;
}

export interface LiftContext {
  readonly node: OnnxNode;
  readonly opset: number;
  /** The value of input i (undefined when the input is absent or empty). */
  value(i: number): Value | undefined;
  /** Input i as a tensor made by an earlier call, batch first. */
  tensor(i: number): number;
  /** Input i as a tensor with its layout (wherever the batch is). */
  view(i: number): View;
  /** A tensor value with this layout (normalized: the usual layout is left out). */
  withLayout(id: number, layout: Layout): Value;
  /** Input i as a constant (initializer or Constant). */
  constant(i: number): ConstTensor;
  /** Input i as integers (a constant, or shape arithmetic). */
  ints(i: number): readonly IntOrBatch[];
  lifted(id: number): LiftedNode;
  /** Every call made so far, in order. */
  readonly calls: readonly LiftedNode[];
  attr<T extends AttrValue>(name: string, fallback: T): T;
  attr<T extends AttrValue>(name: string): T | undefined;
  /** Adds an archc call and returns its tensor. */
  call(op: string, inputs: readonly number[], args?: Record<string, ArgValue>, weights?: Record<string, ConstTensor>): Value;
  /** Refuses the node: archc has no form for it. */
  fail(reason: string): never;
}

/** Values for each of a node's outputs (most nodes have one). */
export type Rule = (ctx: LiftContext) => Value | readonly Value[];

export interface LiftResult {
  readonly graph: LiftedGraph;
  /** When the walk stopped early (--allow-partial): the node and why. */
  readonly stoppedAt?: { readonly node: OnnxNode; readonly reason: string };
}

/** Lifts every node; with `partial`, stops at the first node that cannot be lifted instead of failing. */
export function lift(model: OnnxModel, inputShapes: ReadonlyMap<string, Shape>, partial: boolean): LiftResult {
  const nodes: LiftedNode[] = [];
  const values = new Map<string, Value>();
  for (const [name, t] of model.constants) values.set(name, constantValue(t));
  for (const input of model.inputs) {
    const shape = inputShapes.get(input.name)!;
    nodes.push({ id: nodes.length, op: 'input', inputs: [], args: {}, weights: new Map(), shape, origin: input.name, inputName: input.name });
    values.set(input.name, { kind: 'tensor', id: nodes.length - 1 });
  }
  let stoppedAt: LiftResult['stoppedAt'];
  const memo = new Map<unknown, Value>();
  for (const node of model.nodes) {
    try {
      const rule = node.domain && node.domain !== 'ai.onnx' ? undefined : rules[node.op];
      if (!rule) throw new LiftError(`archc has no op for ONNX ${node.op}`);
      const folded = FOLDABLE.has(node.op) ? foldConstants(node, values) : undefined;
      const out = folded ?? rule(context(node, model.opset, nodes, values, memo));
      const list = Array.isArray(out) ? (out as readonly Value[]) : [out as Value];
      node.outputs.forEach((o, i) => o && list[i] && values.set(o, list[i]!));
    } catch (e) {
      if (!(e instanceof LiftError)) throw e;
      if (!partial) throw new LiftError(`node '${node.name || node.op}' (${node.op}): ${e.message}`);
      stoppedAt = { node, reason: e.message };
      break;
    }
  }
  const outputs = stoppedAt ? danglingOutputs(nodes) : model.outputs.map((name) => ({ name, node: outputTensor(name, values.get(name)) }));
  return { graph: markKeptBiases(keepReachable(nodes, outputs)), stoppedAt };
}

/** The node computed here when every input is a constant (rules/fold.ts), else undefined. */
function foldConstants(node: OnnxNode, values: ReadonlyMap<string, Value>): Value[] | undefined {
  const inputs: (ConstTensor | undefined)[] = [];
  for (const name of node.inputs) {
    const v = name ? values.get(name) : undefined;
    if (!name) inputs.push(undefined);
    else if (v?.kind === 'const') inputs.push(v.t);
    else if (v?.kind === 'ints' && !v.v.some(isBatch)) inputs.push(intsConst(v.v as number[], v.scalar, name));
    else return undefined;
  }
  return foldNode(node, inputs)?.map(constantValue);
}

function context(node: OnnxNode, opset: number, nodes: LiftedNode[], values: Map<string, Value>, memo: Map<unknown, Value>): LiftContext {
  const fail = (reason: string): never => {
    throw new LiftError(reason);
  };
  const value = (i: number): Value | undefined => (node.inputs[i] ? values.get(node.inputs[i]!) : undefined);
  const need = (i: number): Value => value(i) ?? fail(`input ${i} is missing`);
  const view = (i: number): View => {
    let v = need(i);
    if (v.kind === 'expr' && v.tag === 'x·c') v = scaled(v);
    if (v.kind === 'expr' && v.tag === 'x/2') v = scaled({ ...v, tag: 'x·c', n: [0.5] });
    if (v.kind === 'tensor') return { id: v.id, layout: v.layout ?? standardLayout(nodes[v.id]!.shape.length) };
    if (v.kind === 'expr') return fail(`its input '${node.inputs[i]}' is part of a ${v.tag} pattern archc cannot express`);
    return fail(`its input '${node.inputs[i]}' is a constant where archc needs a tensor computed from the model's input`);
  };
  /** A pending x·c that no MatMul took: the scalar op, made once however many nodes read it. */
  const scaled = (v: Value & { kind: 'expr' }): Value => {
    const made = memo.get(v) ?? ctx.call('scalar', [v.x], { op: 'mul', value: v.n![0]! });
    memo.set(v, made);
    return made.kind === 'tensor' && v.layout ? ctx.withLayout(made.id, v.layout) : made;
  };
  const ctx: LiftContext = {
    node,
    opset,
    value,
    view,
    tensor(i) {
      const { id, layout } = view(i);
      if (!normalized(layout, nodes[id]!.shape.length)) return id;
      // With N first in memory, the ONNX view is a per-sample reshape away (an unsqueezed axis, a
      // split one); anywhere else it cannot be had per sample.
      if (layout[0]!.length !== 1 || layout[0]![0] !== 'B') {
        fail(`its input '${node.inputs[i]}' has the batch axis moved (ONNX shape ${layoutText(layout, nodes[id]!.shape)}); archc's ops need it first`);
      }
      const dims = onnxDims(layout, nodes[id]!.shape).slice(1) as number[];
      const key = `${id}:${dims.join()}`;
      const made = memo.get(key) ?? (dims.length === 1 ? ctx.call('flatten', [id]) : ctx.call('reshape', [id], { shape: dims }));
      memo.set(key, made);
      return (made as { id: number }).id;
    },
    withLayout(id, layout) {
      const l = normalized(layout, nodes[id]!.shape.length);
      return l ? { kind: 'tensor', id, layout: l } : { kind: 'tensor', id };
    },
    constant(i) {
      const v = need(i);
      if (v.kind === 'const') return v.t;
      if (v.kind === 'ints' && !v.v.some(isBatch)) return intsConst(v.v as number[], v.scalar, node.inputs[i]!);
      return fail(`its input '${node.inputs[i]}' must be a constant (an initializer), but it is computed`);
    },
    ints(i) {
      const v = need(i);
      if (v.kind === 'ints') return v.v;
      if (v.kind === 'const') return [...v.t.data].map((x) => Math.round(x));
      return fail(`its input '${node.inputs[i]}' must be integers known before run time`);
    },
    lifted: (id) => nodes[id]!,
    calls: nodes,
    attr: ((name: string, fallback?: AttrValue) => node.attrs.get(name) ?? fallback) as LiftContext['attr'],
    call(op, inputs, args = {}, weights = {}) {
      const shapes = inputs.map((i) => nodes[i]!.shape);
      const { shape } = infer(op, args, shapes);
      for (const spec of weightSpecs(op, args, shapes)) {
        const t = weights[spec.name];
        if (!t) fail(`${op} needs a weight '${spec.name}'`);
        if (t!.shape.join() !== spec.shape.join()) fail(`${op}'s ${spec.name} should be [${spec.shape.join(', ')}] but '${t!.name}' is [${t!.shape.join(', ')}]`);
      }
      const origin = node.name || `${node.op} #${nodes.length}`;
      nodes.push({ id: nodes.length, op, inputs: [...inputs], args, weights: new Map(Object.entries(weights)), shape, origin });
      return { kind: 'tensor', id: nodes.length - 1 };
    },
    fail,
  };
  return ctx;
}

function constantValue(t: ConstTensor): Value {
  if (t.type === 'int' && t.shape.length <= 1) return { kind: 'ints', v: [...(t.data as number[])], scalar: t.shape.length === 0 };
  return { kind: 'const', t };
}

export const intsConst = (v: readonly number[], scalar: boolean, name: string): ConstTensor => ({
  shape: scalar ? [] : [v.length],
  type: 'int',
  data: [...v],
  name,
});

function outputTensor(name: string, v: Value | undefined): number {
  if (v?.kind === 'tensor' && v.layout) throw new LiftError(`graph output '${name}' does not have the batch axis first`);
  if (v?.kind === 'tensor') return v.id;
  throw new LiftError(`graph output '${name}' is ${v?.kind === 'expr' ? `an unfinished ${v.tag} pattern` : 'not computed from the input'}`);
}

/** After a partial walk: the results nothing reads yet are the outputs. */
function danglingOutputs(nodes: readonly LiftedNode[]): { name: string; node: number }[] {
  const used = new Set(nodes.flatMap((n) => n.inputs));
  const ends = nodes.filter((n) => n.op !== 'input' && !used.has(n.id));
  return ends.map((n, i) => ({ name: ends.length === 1 ? 'features' : `features${i + 1}`, node: n.id }));
}

/** Drops calls nothing reads (superseded by a fused form) and renumbers the rest in order. */
function keepReachable(nodes: readonly LiftedNode[], outputs: readonly { name: string; node: number }[]): LiftedGraph {
  const keep = new Set<number>();
  const stack = outputs.map((o) => o.node);
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (keep.has(id)) continue;
    keep.add(id);
    stack.push(...nodes[id]!.inputs);
  }
  const renumber = new Map<number, number>();
  const kept: LiftedNode[] = [];
  for (const n of nodes) {
    if (!keep.has(n.id) && n.op !== 'input') continue;
    renumber.set(n.id, kept.length);
    kept.push({ ...n, id: kept.length, inputs: n.inputs.map((i) => renumber.get(i)!) });
  }
  return { nodes: kept, outputs: outputs.map((o) => ({ name: o.name, node: renumber.get(o.node)! })) };
}

/**
 * A conv with a bias right before batch norm is what the file has (VGG-BN's convs keep theirs), and
 * archc warns about it unless the bias is written out on purpose: write bias=true there.
 */
function markKeptBiases(graph: LiftedGraph): LiftedGraph {
  const consumers = new Map<number, LiftedNode[]>();
  for (const n of graph.nodes) for (const i of n.inputs) consumers.set(i, [...(consumers.get(i) ?? []), n]);
  const nodes = graph.nodes.map((n) => {
    const next = consumers.get(n.id) ?? [];
    const kept = n.op === 'conv' && n.args['bias'] === undefined && next.length === 1 && next[0]!.op === 'bn';
    return kept ? { ...n, args: { ...n.args, bias: true } } : n;
  });
  return { ...graph, nodes };
}
