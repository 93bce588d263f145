// Size-generic models: a model whose inputs name size variables (`input image: [3, H, W] =
// [3, 224, 224]`) is built and counted at the default sizes; this module follows the variables
// through the graph (shapes.ts), derives what the ops require of them (constraints.ts), and says
// for which sizes the model is valid, with symbolic shapes and MACs as a formula.
import type { Span } from '../../dsl/source.js';
import type { IrGraph } from '../ir.js';
import { conditionTexts, constraintText, holds, nearest, solve, validityText, type Constraint, type VariableSolution } from './constraints.js';
import { display } from './display.js';
import { add, evaluate, variables, type Env, type Size } from './expr.js';
import { symbolicShapes } from './shapes.js';

export type { SizeVariable } from './shapes.js';

export interface SizeCondition {
  /** `H % 16 == 0`, `H >= 16`. */
  readonly text: string;
  /** The op that requires it. */
  readonly because?: Span;
  readonly why?: string;
}

export interface SizeAnalysis {
  /** The variables with their defaults, in declaration order. */
  readonly variables: readonly { readonly name: string; readonly value: number }[];
  /** "valid for H, W ≡ 0 (mod 16), H, W ≥ 16". */
  readonly validity: string;
  readonly conditions: readonly SizeCondition[];
  /** Every derived constraint, as the ops state them. */
  readonly derived: readonly { readonly text: string; readonly because: Span; readonly why: string }[];
  /** Per node, its shape with sizes as text or numbers. */
  readonly shapes: readonly (readonly (number | string)[])[];
  readonly macs?: string;
  /** Where the analysis fell back to the default sizes, and why. */
  readonly opaque: readonly { readonly node: string; readonly span: Span; readonly reason: string }[];
  readonly solutions: readonly VariableSolution[];
  readonly constraints: readonly Constraint[];
}

export function analyzeSizes(graph: IrGraph, nodeMacs: readonly number[]): SizeAnalysis | undefined {
  const vars = graph.sizes ?? [];
  if (vars.length === 0) return undefined;
  const sym = symbolicShapes(graph, vars, nodeMacs);
  const defaults: Record<string, number> = {};
  for (const v of vars) if (!v.expr) defaults[v.name] ??= v.value;
  const solutions = solve(sym.constraints, defaults);
  const byName = new Map(solutions.map((s) => [s.name, s]));
  // Sizes pass through most ops unchanged: the same object is displayed once.
  const cache = new Map<Size, string>();
  const shown = (d: Size): string => cache.get(d) ?? (cache.set(d, display(d, byName)), cache.get(d)!);
  const conditions = solutions.flatMap((s) => conditionTexts(s).map((c) => ({ text: c.text, because: c.because?.span, why: c.because?.why })));
  return {
    variables: Object.entries(defaults).map(([name, value]) => ({ name, value })),
    validity: validityText(solutions),
    conditions,
    derived: sym.constraints.filter((c) => !(c.kind === 'ge' && c.min === 1 && c.why === 'sizes are positive')).map((c) => ({ text: constraintText(c), because: c.span, why: c.why })),
    shapes: sym.shapes.map((shape) => shape.map((d) => (typeof d === 'number' ? d : shown(d)))),
    macs: sym.macs === undefined ? undefined : shown(sym.macs),
    opaque: sym.opaque.map((o) => ({ node: o.node.name, span: o.node.span, reason: o.reason })),
    solutions,
    constraints: sym.constraints,
  };
}

/** A size that breaks a derived condition: which, at which op, and the nearest valid values. */
export interface SizeViolation {
  readonly variable: string;
  readonly value: number;
  /** The solved conditions on the variable: `H % 16 == 0 and H >= 16`. */
  readonly condition: string;
  /** The first op (in graph order) whose requirement fails at this value. */
  readonly failing?: Constraint;
  /** The failing requirement with its two sides at this value: `(H//8)*2 == H//4: 88 vs 89`. */
  readonly arithmetic?: string;
  readonly nearest: readonly number[];
}

/** The variables whose concrete values (the others at their defaults) the model does not admit. */
export function violations(a: SizeAnalysis, values: Env): SizeViolation[] {
  const defaults: Record<string, number> = Object.fromEntries(a.variables.map((v) => [v.name, v.value]));
  const out: SizeViolation[] = [];
  for (const s of a.solutions) {
    const value = values[s.name];
    if (value === undefined || s.admits(value)) continue;
    const env = { ...defaults, [s.name]: value };
    const failing = a.constraints.find((c) => variables(c.kind === 'eq' ? add(c.left, c.right) : c.expr).has(s.name) && !holds(c, env));
    const sides = failing && (failing.kind === 'eq' ? `${evaluate(failing.left, env)} vs ${evaluate(failing.right, env)}` : `${evaluate(failing.expr, env)} < ${failing.min}`);
    const condition = conditionTexts(s).map((c) => c.text).join(' and ') || `${s.name} admits no value`;
    out.push({ variable: s.name, value, condition, failing, arithmetic: failing && `${constraintText(failing)}: ${sides} at ${s.name} = ${value}`, nearest: nearest(s, value) });
  }
  return out;
}
