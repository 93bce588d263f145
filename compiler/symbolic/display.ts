// Sizes for people: under the derived constraints most floor divisions are exact (H % 16 == 0
// makes H//16 exactly H/16), so a size prints as a polynomial with rational coefficients
// (`H/8`, `3*H*W/4`); where a division is not exact the canonical floor form is printed.
import { format, type Atom, type Size, type Sym } from './expr.js';
import type { VariableSolution } from './constraints.js';

type Fraction = readonly [number, number];
/** Monomial (sorted variable names joined by '*', '' for the constant) → coefficient. */
type Poly = Map<string, Fraction>;

const gcd = (a: number, b: number): number => {
  a = Math.abs(a);
  b = Math.abs(b);
  while (b) [a, b] = [b, a % b];
  return a || 1;
};
const frac = (p: number, q: number): Fraction => {
  const g = gcd(p, q) * (q < 0 ? -1 : 1);
  return [p / g, q / g];
};
const plus = (a: Fraction, b: Fraction): Fraction => frac(a[0] * b[1] + b[0] * a[1], a[1] * b[1]);
const times = (a: Fraction, b: Fraction): Fraction => frac(a[0] * b[0], a[1] * b[1]);

function addPoly(a: Poly, b: Poly, k: Fraction = [1, 1]): Poly {
  const out = new Map(a);
  for (const [m, c] of b) {
    const v = plus(out.get(m) ?? [0, 1], times(c, k));
    if (v[0] === 0) out.delete(m);
    else out.set(m, v);
  }
  return out;
}

function mulPoly(a: Poly, b: Poly): Poly {
  let out: Poly = new Map();
  for (const [ma, ca] of a) {
    for (const [mb, cb] of b) {
      const m = [...ma.split('*'), ...mb.split('*')].filter(Boolean).sort().join('*');
      out = addPoly(out, new Map([[m, times(ca, cb)]]));
    }
  }
  return out;
}

function toPoly(s: Size, solutions: ReadonlyMap<string, VariableSolution>): Poly | undefined {
  if (typeof s === 'number') return new Map(s === 0 ? [] : [['', [s, 1] as Fraction]]);
  let out: Poly = toPoly(s.constant, solutions)!;
  for (const t of s.terms) {
    const p = atomPoly(t.atom, solutions);
    if (!p) return undefined;
    out = addPoly(out, p, [t.coef, 1]);
  }
  return out;
}

function atomPoly(a: Atom, solutions: ReadonlyMap<string, VariableSolution>): Poly | undefined {
  if (a.kind === 'var') return new Map([[a.name, [1, 1] as Fraction]]);
  if (a.kind === 'prod') {
    let out: Poly | undefined = new Map([['', [1, 1] as Fraction]]);
    for (const f of a.factors) {
      const p = toPoly(f, solutions);
      out = p && out && mulPoly(out, p);
    }
    return out;
  }
  return exactDivision(a.arg, a.den, solutions);
}

/** arg/den when every admissible value of arg's one variable makes the division exact. */
function exactDivision(arg: Sym, den: number, solutions: ReadonlyMap<string, VariableSolution>): Poly | undefined {
  const p = toPoly(arg, solutions);
  if (!p) return undefined;
  const monomials = [...p.keys()].filter((m) => m !== '');
  if (monomials.length !== 1 || monomials[0]!.includes('*')) return undefined;
  const s = solutions.get(monomials[0]!);
  const [a, aq] = p.get(monomials[0]!)!;
  const [c, cq] = p.get('') ?? [0, 1];
  if (!s || aq !== 1 || cq !== 1) return undefined;
  const values = s.finite ?? (s.residues.length && (a * s.period) % den === 0 ? s.residues : undefined);
  if (!values || values.length === 0 || !values.every((r) => (((a * r + c) % den) + den) % den === 0)) return undefined;
  return addPoly(new Map(), p, [1, den]);
}

function formatPoly(p: Poly): string {
  if (p.size === 0) return '0';
  const terms = [...p].sort(([m1], [m2]) => (m2 === '' ? -1 : m1 === '' ? 1 : m2.split('*').length - m1.split('*').length || (m1 < m2 ? -1 : 1)));
  let out = '';
  for (const [m, [num, den]] of terms) {
    const mag = Math.abs(num);
    const body = m === '' ? `${mag}` : mag === 1 ? m : `${mag}*${m}`;
    const term = den === 1 ? body : `${body}/${den}`;
    out += out === '' ? (num < 0 ? `-${term}` : term) : num < 0 ? ` - ${term}` : ` + ${term}`;
  }
  return out;
}

/** The readable form of a size under the solved constraints: `H/4` when exact, else `(H - 1)//2 + 1`. */
export function display(s: Size, solutions: ReadonlyMap<string, VariableSolution>): string {
  if (typeof s === 'number') return String(s);
  const p = toPoly(s, solutions);
  return p ? formatPoly(p) : format(s);
}
