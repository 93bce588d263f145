// Derived constraints: what the ops of a size-generic model require of its size variables, each
// with the span of the op that requires it, and their solution per variable: a period with the
// admissible residues (from merges: `H % 16 == 0`) and a lower bound (from windows: `H >= 16`).
import type { Span } from '../../dsl/source.js';
import { divisors, evaluate, format, lcm, variables, type Env, type Size } from './expr.js';

export type Constraint =
  | { readonly kind: 'eq'; readonly left: Size; readonly right: Size; readonly span: Span; readonly why: string }
  | { readonly kind: 'ge'; readonly expr: Size; readonly min: number; readonly span: Span; readonly why: string };

export const constraintText = (c: Constraint): string => (c.kind === 'eq' ? `${format(c.left)} == ${format(c.right)}` : `${format(c.expr)} >= ${c.min}`);

export const holds = (c: Constraint, env: Env): boolean =>
  c.kind === 'eq' ? evaluate(c.left, env) === evaluate(c.right, env) : evaluate(c.expr, env) >= c.min;

const varsOf = (c: Constraint): Set<string> => (c.kind === 'eq' ? variables(c.right, variables(c.left)) : variables(c.expr));
const periodOf = (c: Constraint): number => (c.kind === 'eq' ? [...divisors(c.left), ...divisors(c.right)] : divisors(c.expr)).reduce(lcm, 1);

/** What one variable may be. */
export interface VariableSolution {
  readonly name: string;
  /** Admissible values repeat with this period from `from` on (1: no divisibility condition)... */
  readonly period: number;
  /** ...with these residues modulo the period; empty when only finitely many values work. */
  readonly residues: readonly number[];
  /** The smallest admissible value, if any. */
  readonly min?: number;
  /** When only finitely many values work: all of them. */
  readonly finite?: readonly number[];
  /** The constraints on this variable, with the one behind the period and the one behind the minimum. */
  readonly periodBecause?: Constraint;
  readonly minBecause?: Constraint;
  /** Whether a value is admissible (the other variables at their defaults). */
  readonly admits: (value: number) => boolean;
}

/** Largest period solved by enumeration; longer ones are reported as they are. */
const MAX_PERIOD = 1 << 12;

/**
 * Solves the constraints for each variable separately, the others held at their defaults (the
 * constraints of real models each involve one variable, except products after flatten).
 */
export function solve(constraints: readonly Constraint[], defaults: Env): VariableSolution[] {
  return Object.keys(defaults).map((name) => solveOne(name, constraints.filter((c) => varsOf(c).has(name)), defaults));
}

function solveOne(name: string, cs: readonly Constraint[], defaults: Env): VariableSolution {
  const env: Record<string, number> = { ...defaults };
  const ok = (v: number, only: readonly Constraint[] = cs): boolean => {
    env[name] = v;
    return v >= 1 && only.every((c) => holds(c, env));
  };
  const admits = (v: number) => ok(v);
  if (cs.length === 0) return { name, period: 1, residues: [0], min: 1, admits };
  const period = Math.min(cs.map(periodOf).reduce(lcm, 1), MAX_PERIOD);
  // Far enough out, every floor division is in its periodic regime and every lower bound is met.
  const far = period * Math.ceil(Math.max(4 * (defaults[name] ?? 1), 1024) / period);
  const residues: number[] = [];
  for (let r = 0; r < period; r++) if (ok(far + r)) residues.push(r);
  if (residues.length === 0) {
    const finite: number[] = [];
    for (let v = 1; v < far + period; v++) if (ok(v)) finite.push(v);
    return { name, period, residues, finite, min: finite[0], admits, minBecause: cs.find((c) => c.kind === 'eq') };
  }
  const reduced = smallestPeriod(period, residues);
  const periodBecause = reduced.period > 1 ? cs.filter((c) => c.kind === 'eq').sort((a, b) => periodOf(b) - periodOf(a))[0] : undefined;
  let min: number | undefined;
  for (let v = 1; v < far + period; v++) {
    if (ok(v)) {
      min = v;
      break;
    }
  }
  // The bound comes from the window constraints: the one that alone rules out min − 1 (in residue).
  const below = min !== undefined ? min - reduced.period : 0;
  const minBecause = below >= 1 ? cs.find((c) => c.kind === 'ge' && !ok(below, [c])) : cs.find((c) => c.kind === 'ge');
  return { name, period: reduced.period, residues: reduced.residues, min, periodBecause, minBecause, admits };
}

/** The shortest period that describes the same residues: {0, 8} mod 16 is {0} mod 8. */
function smallestPeriod(period: number, residues: readonly number[]): { period: number; residues: number[] } {
  const set = new Set(residues);
  for (let p = 1; p < period; p++) {
    if (period % p !== 0) continue;
    if (residues.every((r) => set.has((r + p) % period))) return { period: p, residues: [...new Set(residues.map((r) => r % p))].sort((a, b) => a - b) };
  }
  return { period, residues: [...residues] };
}

/** The admissible values nearest to `value`, below and above (the other variables at their defaults). */
export function nearest(s: VariableSolution, value: number, limit = 1 << 16): number[] {
  const out: number[] = [];
  for (let v = value - 1; v >= 1 && value - v < limit; v--) {
    if (s.admits(v)) {
      out.push(v);
      break;
    }
  }
  for (let v = value + 1; v - value < limit; v++) {
    if (s.admits(v)) {
      out.push(v);
      break;
    }
  }
  return out;
}

/** One variable's conditions as text: `H % 16 == 0`, `H >= 16`, `224 <= H <= 255`. */
export function conditionTexts(s: VariableSolution): { text: string; because?: Constraint }[] {
  if (s.finite) {
    if (s.finite.length === 0) return [{ text: `no value of ${s.name} satisfies the constraints`, because: s.minBecause }];
    const ranges = toRanges(s.finite);
    return [{ text: ranges.map(([a, b]) => (a === b ? `${s.name} == ${a}` : `${a} <= ${s.name} <= ${b}`)).join(' or '), because: s.minBecause }];
  }
  const out: { text: string; because?: Constraint }[] = [];
  if (s.period > 1) {
    const text = s.residues.length === 1 ? `${s.name} % ${s.period} == ${s.residues[0]}` : `${s.name} % ${s.period} in {${s.residues.join(', ')}}`;
    out.push({ text, because: s.periodBecause });
  }
  if (s.min !== undefined && s.min > 1) out.push({ text: `${s.name} >= ${s.min}`, because: s.minBecause });
  return out;
}

function toRanges(values: readonly number[]): [number, number][] {
  const out: [number, number][] = [];
  for (const v of values) {
    const last = out.at(-1);
    if (last && last[1] === v - 1) last[1] = v;
    else out.push([v, v]);
  }
  return out;
}

/** "H, W ≡ 0 (mod 16), H, W ≥ 16": variables with the same conditions grouped, for people. */
export function validityText(solutions: readonly VariableSolution[]): string {
  const groups = new Map<string, string[]>();
  const addTo = (key: string, name: string) => groups.set(key, [...(groups.get(key) ?? []), name]);
  for (const s of solutions) {
    if (s.finite) addTo(`finite:${s.finite.length ? toRanges(s.finite).map(([a, b]) => (a === b ? `${a}` : `${a}..${b}`)).join(', ') : 'none'}`, s.name);
    else {
      if (s.period > 1) addTo(s.residues.length === 1 ? `mod:≡ ${s.residues[0]} (mod ${s.period})` : `mod:mod ${s.period} ∈ {${s.residues.join(', ')}}`, s.name);
      if (s.min !== undefined && s.min > 1) addTo(`min:≥ ${s.min}`, s.name);
    }
  }
  if (groups.size === 0) return 'valid for every size';
  const parts = [...groups].map(([key, names]) => {
    const [kind, text] = [key.slice(0, key.indexOf(':')), key.slice(key.indexOf(':') + 1)];
    return kind === 'finite' ? `${names.join(', ')} ∈ {${text}}` : `${names.join(', ')} ${text}`;
  });
  return `valid for ${parts.join(', ')}`;
}
