// Symbolic shapes: the graph is built at the inputs' default sizes (every count exact); this pass
// follows the size variables through it, node by node, and collects what each op requires of them
// (derived constraints with the op's span). Ops whose sizes only pass through need no rule: they
// are recognized by re-running their shape function at another size.
import type { IrGraph, IrNode } from '../ir.js';
import type { OpContext } from '../ops/op.js';
import { lookupOp } from '../ops/registry.js';
import type { ConvAttrs } from '../ops/conv.js';
import type { ConvTransposeAttrs } from '../ops/conv-transpose.js';
import type { PoolAttrs } from '../ops/pool.js';
import type { PadAttrs } from '../ops/pad.js';
import type { UpsampleAttrs } from '../ops/upsample.js';
import type { SliceAttrs } from '../ops/slice.js';
import type { ConcatAttrs } from '../ops/concat.js';
import type { TransposeAttrs } from '../ops/transpose.js';
import type { ReshapeAttrs } from '../ops/reshape.js';
import type { MaxUnpoolAttrs } from '../ops/max-unpool.js';
import { add, ceilDiv, evaluate, floorDiv, isSym, mul, sameSize, scale, sub, variable, type Env, type Size } from './expr.js';
import { constraintText, type Constraint } from './constraints.js';

/** A size variable: which input dimension it names, and its default. */
export interface SizeVariable {
  readonly name: string;
  readonly input: string;
  readonly axis: number;
  readonly value: number;
  /**
   * A dimension given as an expression in the variables rather than a variable of its own (a block
   * signature's `skip: [C/2, 2*H, 2*W]` when the block is checked without a caller).
   */
  readonly expr?: Size;
}

export interface SymbolicShapes {
  /** Per node, its per-sample shape with sizes in the variables. */
  readonly shapes: readonly (readonly Size[])[];
  readonly constraints: Constraint[];
  /** Nodes where the analysis could not follow a size (no rule): their sizes are the defaults'. */
  readonly opaque: { readonly node: IrNode; readonly reason: string }[];
  /** Multiply-accumulates as a formula in the variables (undefined where an op has no formula). */
  readonly macs?: Size;
}

/**
 * A node's output sizes from its inputs' (`base`: the inputs' shapes at the defaults; `shapes`: every
 * earlier node's symbolic shape), or undefined.
 */
type Rule = (node: IrNode, ins: readonly (readonly Size[])[], need: (c: Constraint) => void, base: readonly (readonly number[])[], shapes: readonly (readonly Size[])[]) => Size[] | undefined;

const windowed: Rule = (node, [x], need) => {
  const a = node.attrs as ConvAttrs & Partial<PoolAttrs>;
  const out: Size[] = [node.shape[0]!];
  for (let i = 0; i < a.kernel.length; i++) {
    const I = x![i + 1]!;
    if (!isSym(I)) {
      out.push(node.shape[i + 1]!);
      continue;
    }
    const s = a.stride[i]!;
    if (a.pads.mode === 'same') {
      out.push(ceilDiv(I, s)); // TF "same": ceil(I / s), whatever the window
      continue;
    }
    const keff = a.dilation[i]! * (a.kernel[i]! - 1) + 1;
    const pb = a.pads.begin[i]!;
    const pe = a.pads.end[i]!;
    // PyTorch's ceil mode drops a last window that starts in the end padding; it cannot when s + pe ≤ keff.
    if (a.ceil && s + pe > keff) return undefined;
    const span = add(I, pb + pe - keff);
    need({ kind: 'ge', expr: add(I, pb + pe), min: keff, span: node.span, why: `the ${keff}-wide window of ${node.name} must fit` });
    out.push(add(a.ceil ? ceilDiv(span, s) : floorDiv(span, s), 1));
  }
  return out;
};

const rules: Record<string, Rule> = {
  conv: windowed,
  dwconv: windowed,
  maxpool: windowed,
  avgpool: windowed,
  conv_transpose(node, [x]) {
    const a = node.attrs as ConvTransposeAttrs;
    return [node.shape[0]!, ...a.kernel.map((k, i) => {
      const I = x![i + 1]!;
      if (!isSym(I)) return node.shape[i + 1]!;
      if (a.pads.mode === 'same') return scale(I, a.stride[i]!);
      const keff = a.dilation[i]! * (k - 1) + 1;
      return add(scale(add(I, -1), a.stride[i]!), keff - a.pads.begin[i]! - a.pads.end[i]! + a.outputPadding[i]!);
    })];
  },
  upsample(node, [x], _need, _base, shapes) {
    const a = node.attrs as UpsampleAttrs;
    const out: Size[] = [x![0]!];
    for (let i = 0; i < a.size.length; i++) {
      const I = x![i + 1]!;
      // `size=[like.height, like.width]`: the output follows that tensor's axes.
      const refs = a.fromSize ? node.argDims?.['size'] : undefined;
      const from = refs?.length === 1 ? refs[0] : refs?.[i];
      if (from) out.push(shapes[from.node]![from.axis]!);
      else if (a.fromSize || !isSym(I)) out.push(node.shape[i + 1]!);
      else if (Number.isInteger(a.scales[i]!)) out.push(scale(I, a.scales[i]!));
      else return undefined;
    }
    return out;
  },
  pad(node, [x]) {
    const a = node.attrs as PadAttrs;
    return [x![0]!, ...a.begin.map((b, i) => add(x![i + 1]!, b + a.end[i]!))];
  },
  slice(node, [x], need) {
    const a = node.attrs as SliceAttrs;
    const I = x![a.axis]!;
    const out = [...x!];
    if (!isSym(I)) {
      out[a.axis] = node.shape[a.axis]!;
      return out;
    }
    const [start, end, step] = [node.args['start'] as number, node.args['end'] as number, a.step];
    if (step < 0) return undefined; // walking backwards: not followed symbolically yet
    const at = (i: number): Size => (i < 0 ? add(I, i) : i);
    if (end >= 0) need({ kind: 'ge', expr: I, min: end, span: node.span, why: `slice ${start}:${end} of ${node.name} must be inside the axis` });
    if (start < 0) need({ kind: 'ge', expr: I, min: -start, span: node.span, why: `slice ${start}:${end} of ${node.name} must be inside the axis` });
    out[a.axis] = ceilDiv(sub(at(end), at(start)), step);
    return out;
  },
  concat(node, ins, need) {
    const axis = (node.attrs as ConcatAttrs).axis;
    const out = [...ins[0]!];
    out[axis] = ins.map((s) => s[axis]!).reduce(add, 0);
    for (let k = 1; k < ins.length; k++) {
      ins[0]!.forEach((d, j) => {
        if (j !== axis && !sameSize(d, ins[k]![j]!)) need({ kind: 'eq', left: d, right: ins[k]![j]!, span: node.span, why: `the inputs of ${node.name} must meet` });
      });
    }
    return out;
  },
  flatten(node, [x]) {
    return node.shape.length === 1 ? [x!.reduce<Size>((p, d) => mul(p, d), 1)] : undefined;
  },
  reshape(node, [x], need) {
    const target = (node.attrs as ReshapeAttrs).shape;
    const count = x!.reduce<Size>((p, d) => mul(p, d), 1);
    if (isSym(count)) need({ kind: 'eq', left: count, right: target.reduce((p, d) => p * d, 1), span: node.span, why: `${node.name} has a fixed shape` });
    return [...target];
  },
  transpose(node, [x]) {
    return (node.attrs as TransposeAttrs).perm.map((p) => x![p]!);
  },
  // The unpooled map takes the pre-pool map's sizes; y must be that map pooled.
  max_unpool(node, [y, like], need) {
    const kernel = (node.attrs as MaxUnpoolAttrs).kernel;
    kernel.forEach((k, i) => {
      const pooled = floorDiv(like![i + 1]!, k);
      if (!sameSize(y![i + 1]!, pooled)) need({ kind: 'eq', left: y![i + 1]!, right: pooled, span: node.span, why: `${node.name} restores the map its values were pooled from` });
    });
    return [...like!];
  },
  dense(node, [x], need, base) {
    const last = x!.at(-1)!;
    if (isSym(last)) need({ kind: 'eq', left: last, right: base[0]!.at(-1)!, span: node.span, why: `the weights of ${node.name} are sized for its input at the defaults` });
    return [...x!.slice(0, -1), node.shape.at(-1)!];
  },
};
for (const op of ['add', 'sub', 'mul', 'div', 'compare', 'where']) rules[op] = broadcast;
// Their output size is fixed whatever the input's, even when it happens to equal it at the defaults.
for (const op of ['adaptive_avgpool', 'adaptive_maxpool', 'global_avgpool', 'global_maxpool']) rules[op] = (node) => [...node.shape];

function broadcast(node: IrNode, ins: readonly (readonly Size[])[], need: (c: Constraint) => void): Size[] {
  const rank = Math.max(...ins.map((s) => s.length));
  const out: Size[] = [];
  for (let j = 0; j < rank; j++) {
    const dims = ins.map((s) => s[s.length - rank + j]).filter((d): d is Size => d !== undefined && d !== 1);
    const first = dims[0] ?? 1;
    for (const d of dims.slice(1)) if (!sameSize(first, d)) need({ kind: 'eq', left: first, right: d, span: node.span, why: `the operands of ${node.name} must match` });
    out.push(first);
  }
  return out;
}

/** Which shape an op's MACs scale with: conv-like ops with their output, the others with input 0. */
const MACS_FROM_OUTPUT = new Set(['conv', 'dwconv']);
const MACS_FROM_INPUT = new Set(['conv_transpose', 'dense']);

export function symbolicShapes(graph: IrGraph, variables: readonly SizeVariable[], nodeMacs: readonly number[]): SymbolicShapes {
  const env: Env = Object.fromEntries(variables.map((v) => [v.name, v.value]));
  const shapes: Size[][] = [];
  const constraints: Constraint[] = [];
  const opaque: { node: IrNode; reason: string }[] = [];
  let macs: Size | undefined = 0;
  // Many ops state the same requirement (every 3×3 conv with pad 1 needs H + 2 >= 3): keep the first.
  const seen = new Set<string>();
  const need = (c: Constraint) => {
    const key = constraintText(c);
    if (seen.has(key)) return;
    seen.add(key);
    constraints.push(c);
  };
  for (const node of graph.nodes) {
    if (node.op === 'input') {
      const input = graph.inputs.find((i) => i.node === node.id);
      const shape: Size[] = [...node.shape];
      for (const v of variables) if (v.input === input?.name) shape[v.axis] = v.expr ?? variable(v.name);
      for (const s of shape) if (isSym(s)) need({ kind: 'ge', expr: s, min: 1, span: node.span, why: 'sizes are positive' });
      shapes.push(shape);
      continue;
    }
    const ins = node.inputs.map((i) => shapes[i]!);
    let out: Size[] | undefined;
    const follows = Object.values(node.argDims ?? {}).some((refs) => refs.some((r) => r && shapes[r.node]?.[r.axis] !== undefined && isSym(shapes[r.node]![r.axis]!)));
    if (!ins.some((s) => s.some(isSym)) && !follows) out = [...node.shape];
    else {
      const base = node.inputs.map((i) => graph.nodes[i]!.shape);
      const rule = rules[node.op];
      // An op without a rule whose output has its one input's shape (activations, norms, dropout)
      // passes the sizes through; others are probed at other sizes.
      const same = !rule && ins.length === 1 && node.shape.length === base[0]!.length && node.shape.every((d, j) => d === base[0]![j]);
      out = rule ? rule(node, ins, need, base, shapes) : same ? [...ins[0]!] : passThrough(node, ins, base, env);
      if (!out) {
        opaque.push({ node, reason: `archc cannot follow a size variable through this ${node.op} yet` });
        out = [...node.shape];
      }
    }
    // The rule must agree with the graph at the defaults: a disagreement is a bug in a rule, never
    // the user's; fall back to the default sizes there rather than report wrong constraints.
    if (out.length !== node.shape.length || out.some((d, j) => evaluate(d, env) !== node.shape[j])) {
      opaque.push({ node, reason: `the symbolic sizes of this ${node.op} disagree with its sizes at the defaults` });
      out = [...node.shape];
    }
    shapes.push(out);
    const m = nodeMacs[node.id] ?? 0;
    if (m > 0 && macs !== undefined) macs = addMacs(macs, m, node, out, ins, node.inputs.map((i) => graph.nodes[i]!.shape));
  }
  return { shapes, constraints, opaque, macs };
}

/** The node's MACs as a formula: its default count scaled by the symbolic axes of the shape it grows with. */
function addMacs(total: Size, m: number, node: IrNode, out: readonly Size[], ins: readonly (readonly Size[])[], base: readonly (readonly number[])[]): Size | undefined {
  const fromOutput = MACS_FROM_OUTPUT.has(node.op);
  const shape = fromOutput ? out : MACS_FROM_INPUT.has(node.op) ? ins[0] : undefined;
  if (!shape) return [...ins, out].some((s) => s.some(isSym)) ? undefined : add(total, m); // no formula for this op
  const defaults = fromOutput ? node.shape : base[0]!;
  let perPosition = m;
  let formula: Size = 1;
  shape.forEach((d, j) => {
    if (!isSym(d)) return;
    perPosition /= defaults[j]!; // divide out the default size of each symbolic axis, multiply in the axis
    formula = mul(formula, d);
  });
  return Number.isInteger(perPosition) ? add(total, scale(formula, perPosition)) : undefined;
}

/**
 * An op without a rule: re-run its shape function with the size variables doubled. Output axes that
 * do not change are constant; those that follow input 0's axis at the same place pass through.
 */
function passThrough(node: IrNode, ins: readonly (readonly Size[])[], base: readonly (readonly number[])[], env: Env): Size[] | undefined {
  const op = lookupOp(node.op);
  if (!op) return undefined;
  const doubled: Env = Object.fromEntries(Object.entries(env).map(([k, v]) => [k, 2 * v]));
  let failed = false;
  const ctx: OpContext = {
    error: () => {
      failed = true;
      return undefined;
    },
    warn: () => {},
    given: (arg) => node.written.includes(arg),
  };
  const moved = op.infer(ins.map((s) => s.map((d) => evaluate(d, doubled))), node.args, ctx);
  if (!moved || failed || moved.shape.length !== node.shape.length) return undefined;
  const x = ins[0]!;
  const out: Size[] = [];
  for (let j = 0; j < node.shape.length; j++) {
    const d = node.shape[j]!;
    if (moved.shape[j] === d) out.push(d);
    else if (x[j] !== undefined && isSym(x[j]!) && base[0]![j] === d && evaluate(x[j]!, doubled) === moved.shape[j]) out.push(x[j]!);
    else return undefined;
  }
  return out;
}

