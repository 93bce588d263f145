// Size-generic ONNX from fixed-size lowerings. A model whose inputs name size variables is lowered
// at its default sizes and at two other admissible sizes; the three ModelProtos must have the same
// nodes. What differs between them is what depends on the size:
// - a dim of an input, output or value_info becomes a named dynamic dim (`H`, `H/4`; `?` when the
//   compiler has no name for it);
// - an int64 constant (a Reshape target, Resize sizes, Slice bounds) is rebuilt at run time: each
//   entry that moves is read with Shape + Gather from a tensor computed earlier whose dim takes the
//   same values at all three sizes, or is -1 in a Reshape target (exact: the element count is kept);
// - anything else (an attribute such as a pooling window, a float constant, another node) cannot
//   follow the size: the export is refused with the op that bakes it in, and stays at fixed sizes.
// Three sizes, chosen so that no two variables move alike, make a chance match very unlikely.
import type { IrNode } from '../ir.js';
import type { Refusal } from '../symbolic/probes.js';
import { attributeText, constantTensor, dimsOf, INT64, UNNAMED, valueInfo, type Dims, type ModelProto, type NodeProto, type ValueInfoProto } from './proto.js';

export interface Lowered {
  readonly model: ModelProto;
  /** Per node of the model's graph, the IR node it lowers. */
  readonly origins: readonly (IrNode | undefined)[];
  /** The IR node whose output a tensor holds (the others are temporaries of one op's lowering). */
  readonly tensors: ReadonlyMap<string, IrNode>;
}


/**
 * The base model with size-dependent dims named and size-dependent int64 constants derived from
 * shapes, or a refusal. `nameOf` names a dim of an IR node's output (its symbolic size); dims of
 * temporaries that move stay unnamed, since a wrong name would tell onnxruntime two sizes are equal.
 */
export function generalize(base: Lowered, probes: readonly ModelProto[], nameOf: (node: IrNode, axis: number) => string | undefined): { model: ModelProto } | { refused: Refusal } {
  const graphs = [base.model.graph!, ...probes.map((p) => p.graph!)];
  const nodes = graphs.map((g) => g.node ?? []);
  for (let i = 0; i < nodes[0]!.length || nodes.some((n) => n.length > i); i++) {
    if (nodes.some((n) => !n[i] || !sameWiring(n[i]!, nodes[0]![i]!))) {
      return { refused: { node: base.origins[Math.min(i, base.origins.length - 1)], reason: 'its ONNX nodes change with the input size' } };
    }
  }
  const dims = graphs.map(dimsByTensor);
  const inserted = new Map<number, NodeProto[]>();
  const removed = new Set<number>();
  const taken = new Set<string>([...nodes[0]!.flatMap((n) => [n.name ?? '', ...(n.output ?? [])]), ...dims[0]!.keys()]);
  for (let i = 0; i < nodes[0]!.length; i++) {
    const node = nodes[0]![i]!;
    const differing = (node.attribute ?? []).filter((a, k) => nodes.some((n) => attributeKey(n[i]!.attribute![k]!) !== attributeKey(a)));
    if (differing.length === 0) continue;
    const origin = base.origins[i];
    const values = node.opType === 'Constant' ? nodes.map((n) => int64Values(n[i]!)) : [];
    if (values.length === 0 || values.some((v) => !v || v.length !== values[0]!.length)) {
      const what = node.opType === 'Constant' ? 'a constant' : `the ${differing.map((a) => a.name).join(', ')} of its ${node.opType}`;
      return { refused: { node: origin, reason: `its ONNX lowering writes the input size into ${what}` } };
    }
    const derived = deriveConstant(i, values as number[][], nodes[0]!, dims, taken, graphs[0]!.input ?? []);
    if ('refused' in derived) return { refused: { node: origin, reason: derived.refused } };
    const docString = node.docString;
    inserted.set(derived.before, [...(inserted.get(derived.before) ?? []), ...derived.nodes.map((n) => ({ ...n, docString }))]);
    removed.add(i);
  }
  const rewritten = nodes[0]!.flatMap((node, i) => [...(inserted.get(i) ?? []), ...(removed.has(i) ? [] : [node])]);
  const named = (info: ValueInfoProto[] | null | undefined) => (info ?? []).map((v) => rename(v, dims, base.tensors.get(v.name!), nameOf));
  const g = graphs[0]!;
  return { model: { ...base.model, graph: { ...g, node: rewritten, input: named(g.input), output: named(g.output), valueInfo: named(g.valueInfo) } } };
}

const sameWiring = (a: NodeProto, b: NodeProto): boolean =>
  a.opType === b.opType && (a.input ?? []).join('\n') === (b.input ?? []).join('\n') && (a.output ?? []).join('\n') === (b.output ?? []).join('\n') && (a.attribute ?? []).length === (b.attribute ?? []).length;

const attributeKey = (a: NonNullable<NodeProto['attribute']>[number]): string => `${a.name}=${attributeText(a)}`;

function int64Values(node: NodeProto): number[] | undefined {
  const t = node.attribute?.find((a) => a.name === 'value')?.t;
  if (!t || t.dataType !== INT64 || (t.dims ?? []).length !== 1) return undefined;
  return (t.int64Data ?? []).map(Number);
}

function dimsByTensor(g: NonNullable<ModelProto['graph']>): Map<string, Dims> {
  const out = new Map<string, Dims>();
  for (const v of [...(g.input ?? []), ...(g.output ?? []), ...(g.valueInfo ?? [])]) {
    const d = dimsOf(v);
    if (d) out.set(v.name!, d);
  }
  return out;
}

/** The value_info with each dim that moves between the sizes named (or unnamed). */
function rename(v: ValueInfoProto, dims: readonly Map<string, Dims>[], node: IrNode | undefined, nameOf: (node: IrNode, axis: number) => string | undefined): ValueInfoProto {
  const all = dims.map((d) => d.get(v.name!));
  const first = all[0];
  if (!first || all.some((d) => !d || d.length !== first.length)) return v;
  const out = first.map((d, j) => {
    const values = all.map((x) => x![j]!);
    if (values.every((x) => x === d)) return d;
    return (node && j > 0 && nameOf(node, j - 1)) || UNNAMED;
  });
  return valueInfo(v.name!, out, v.type?.tensorType?.elemType ?? undefined);
}

/**
 * Nodes computing the Constant at `index` from shapes at run time, to be put before its first
 * consumer (`before`), or why that is not possible.
 */
function deriveConstant(
  index: number,
  values: readonly (readonly number[])[],
  nodes: readonly NodeProto[],
  dims: readonly Map<string, Dims>[],
  taken: Set<string>,
  inputs: readonly ValueInfoProto[],
): { before: number; nodes: NodeProto[] } | { refused: string } {
  const target = nodes[index]!.output![0]!;
  const before = nodes.findIndex((n, k) => k > index && (n.input ?? []).includes(target));
  if (before < 0) return { refused: 'its ONNX lowering writes the input size into a constant' };
  const consumer = nodes[before]!;
  // Where a moving entry may be read: the consumer's data input, the model's inputs, then every
  // tensor made before the consumer, nearest first.
  const sources = [consumer.input?.[0] ?? '', ...inputs.map((i) => i.name!), ...nodes.slice(0, before).reverse().flatMap((n) => n.output ?? [])];
  const entries: ({ value: number } | { tensor: string; axis: number } | { rest: true })[] = [];
  let unresolved = 0;
  for (let k = 0; k < values[0]!.length; k++) {
    const at = values.map((v) => v[k]!);
    if (at.every((x) => x === at[0])) {
      entries.push({ value: at[0]! });
      continue;
    }
    const found = findDim(at, sources, dims);
    if (found) entries.push(found);
    else {
      unresolved++;
      entries.push({ rest: true });
    }
  }
  const reshapeTarget = consumer.opType === 'Reshape' && consumer.input?.[1] === target && !values[0]!.includes(-1);
  if (unresolved > (reshapeTarget ? 1 : 0)) return { refused: 'its ONNX lowering computes a size that archc cannot derive from the shapes of earlier tensors' };
  const fresh = (base: string) => {
    let name = base;
    for (let k = 2; taken.has(name); k++) name = `${base}_${k}`;
    taken.add(name);
    return name;
  };
  const out: NodeProto[] = [];
  const shapes = new Map<string, string>();
  const constant = (vals: number[]) => {
    const name = fresh(`${target}/part`);
    out.push({ name, opType: 'Constant', input: [], output: [name], attribute: [{ name: 'value', type: 4, t: constantTensor('int64', vals, [vals.length]) }] });
    return name;
  };
  const parts: string[] = [];
  let run: number[] = [];
  const flush = () => {
    if (run.length) parts.push(constant(run));
    run = [];
  };
  for (const e of entries) {
    if ('value' in e) run.push(e.value);
    else if ('rest' in e) run.push(-1);
    else {
      flush();
      if (!shapes.has(e.tensor)) {
        const name = fresh(`${target}/shape`);
        out.push({ name, opType: 'Shape', input: [e.tensor], output: [name] });
        shapes.set(e.tensor, name);
      }
      const name = fresh(`${target}/dim`);
      out.push({ name, opType: 'Gather', input: [shapes.get(e.tensor)!, constant([e.axis])], output: [name], attribute: [{ name: 'axis', type: 2, i: 0 }] });
      parts.push(name);
    }
  }
  flush();
  out.push({ name: fresh(`${target}/derived`), opType: 'Concat', input: parts, output: [target], attribute: [{ name: 'axis', type: 2, i: 0 }] });
  return { before, nodes: out };
}

/** A tensor's dim that takes these values at every size (never the batch axis, which is no number). */
function findDim(values: readonly number[], sources: readonly string[], dims: readonly Map<string, Dims>[]): { tensor: string; axis: number } | undefined {
  for (const tensor of sources) {
    const all = dims.map((d) => d.get(tensor));
    if (all.some((d) => !d)) continue;
    const axis = all[0]!.findIndex((_, j) => all.every((d, p) => d![j] === values[p]));
    if (axis >= 0) return { tensor, axis };
  }
  return undefined;
}
