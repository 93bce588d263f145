// Symbolic shapes: the graph is built at the inputs' default sizes (every count exact); this pass
// follows the size variables through it, node by node, and collects what each op requires of them
// (derived constraints with the op's span). Each op's rule lives in its own file (OpDef.symbolic);
// ops whose sizes only pass through need none: they are recognized by re-running their shape
// function at another size.
import type { IrGraph, IrNode } from '../ir.js';
import type { OpContext, OpDef } from '../ops/op.js';
import { lookupOp } from '../ops/registry.js';
import { add, evaluate, isSym, mul, scale, variable, type Env, type Size } from './expr.js';
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
    const op = lookupOp(node.op);
    let out: Size[] | undefined;
    const follows = Object.values(node.argDims ?? {}).some((refs) => refs.some((r) => r && shapes[r.node]?.[r.axis] !== undefined && isSym(shapes[r.node]![r.axis]!)));
    if (!ins.some((s) => s.some(isSym)) && !follows) out = [...node.shape];
    else {
      const base = node.inputs.map((i) => graph.nodes[i]!.shape);
      // An op without a rule whose output has its one input's shape (activations, norms, dropout)
      // passes the sizes through; others are probed at other sizes.
      const same = !op?.symbolic && ins.length === 1 && node.shape.length === base[0]!.length && node.shape.every((d, j) => d === base[0]![j]);
      out = op?.symbolic ? op.symbolic(node.attrs, ins, { node, base, shapes, need }) : same ? [...ins[0]!] : passThrough(op, node, ins, base, env);
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
    if (m > 0 && macs !== undefined) macs = addMacs(macs, m, op?.macsGrowWith, node, out, ins, node.inputs.map((i) => graph.nodes[i]!.shape));
  }
  return { shapes, constraints, opaque, macs };
}

/** The node's MACs as a formula: its default count scaled by the symbolic axes of the shape it grows with. */
function addMacs(total: Size, m: number, growWith: OpDef['macsGrowWith'], node: IrNode, out: readonly Size[], ins: readonly (readonly Size[])[], base: readonly (readonly number[])[]): Size | undefined {
  const fromOutput = growWith === 'output';
  const shape = fromOutput ? out : growWith === 'input' ? ins[0] : undefined;
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
function passThrough(op: OpDef | undefined, node: IrNode, ins: readonly (readonly Size[])[], base: readonly (readonly number[])[], env: Env): Size[] | undefined {
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

