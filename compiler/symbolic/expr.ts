// Size expressions: a tensor dimension is an integer or an expression over named size variables
// (H, W, ...). The forms are those that convs, pools, pads and up-sampling produce: sums of integer
// multiples of variables, floor divisions by positive constants, and (after flatten) products.
// Every expression is kept in one canonical form, so that two sizes are equal exactly when their
// forms are: `(H + 2 - 3)//2 + 1` is stored as `(H - 1)//2 + 1`, `(H//2)//8` as `H//16`.

/** A dimension: a plain number when it does not depend on a size variable. */
export type Size = number | Sym;

/** Σ coef·atom + constant, with at least one term; terms sorted by key, no zero coefficients. */
export interface Sym {
  readonly terms: readonly Term[];
  readonly constant: number;
}

export interface Term {
  readonly coef: number;
  readonly atom: Atom;
}

export type Atom =
  | { readonly kind: 'var'; readonly name: string; readonly key: string }
  /** floor(arg / den), den ≥ 2, arg not a multiple of den in any term. */
  | { readonly kind: 'floor'; readonly arg: Sym; readonly den: number; readonly key: string }
  /** A product of two or more non-constant sizes (flatten of [C, H, W]). */
  | { readonly kind: 'prod'; readonly factors: readonly Sym[]; readonly key: string };

export const variable = (name: string): Sym => ({ terms: [{ coef: 1, atom: { kind: 'var', name, key: name } }], constant: 0 });

export const isSym = (s: Size): s is Sym => typeof s !== 'number';

/** Builds the canonical form of Σ terms + constant: like atoms merged, zeros dropped, sorted. */
function linear(terms: readonly Term[], constant: number): Size {
  const byKey = new Map<string, Term>();
  for (const t of terms) {
    const had = byKey.get(t.atom.key);
    byKey.set(t.atom.key, { coef: (had?.coef ?? 0) + t.coef, atom: t.atom });
  }
  const kept = [...byKey.values()].filter((t) => t.coef !== 0).sort((a, b) => (a.atom.key < b.atom.key ? -1 : a.atom.key > b.atom.key ? 1 : 0));
  return kept.length === 0 ? constant : { terms: kept, constant };
}

const parts = (s: Size): { terms: readonly Term[]; constant: number } => (typeof s === 'number' ? { terms: [], constant: s } : s);

export function add(a: Size, b: Size): Size {
  if (typeof a === 'number' && typeof b === 'number') return a + b;
  // Adding a constant keeps the terms as they are (the common case: windows and pads).
  if (typeof b === 'number') return b === 0 ? a : { terms: (a as Sym).terms, constant: (a as Sym).constant + b };
  if (typeof a === 'number') return a === 0 ? b : { terms: b.terms, constant: b.constant + a };
  const pa = parts(a);
  const pb = parts(b);
  return linear([...pa.terms, ...pb.terms], pa.constant + pb.constant);
}

export function scale(a: Size, k: number): Size {
  if (typeof a === 'number') return a * k;
  if (k === 1) return a;
  if (k === 0) return 0;
  return linear(a.terms.map((t) => ({ coef: t.coef * k, atom: t.atom })), a.constant * k);
}

export const sub = (a: Size, b: Size): Size => add(a, scale(b, -1));

export function mul(a: Size, b: Size): Size {
  if (typeof a === 'number') return scale(b, a);
  if (typeof b === 'number') return scale(a, b);
  const factors = [...factorsOf(a), ...factorsOf(b)].sort((x, y) => (keyOf(x) < keyOf(y) ? -1 : 1));
  const key = factors.map((f) => wrap(keyOf(f))).join('*');
  return { terms: [{ coef: 1, atom: { kind: 'prod', factors, key } }], constant: 0 };
}

const factorsOf = (s: Sym): Sym[] => (s.constant === 0 && s.terms.length === 1 && s.terms[0]!.coef === 1 && s.terms[0]!.atom.kind === 'prod' ? [...s.terms[0]!.atom.factors] : [s]);

/** floor(a / d) for a positive integer d, in canonical form. */
export function floorDiv(a: Size, d: number): Size {
  if (d === 1) return a;
  if (typeof a === 'number') return Math.floor(a / d);
  // Whole multiples of d leave the division: floor((d·M + R)/d) = M + floor(R/d) for integer M.
  const out: Term[] = [];
  const rest: Term[] = [];
  for (const t of a.terms) {
    if (t.coef % d === 0) out.push({ coef: t.coef / d, atom: t.atom });
    else rest.push(t);
  }
  const q = Math.floor(a.constant / d);
  let r = a.constant - q * d;
  if (rest.length === 0) return linear(out, q);
  // A common factor of the rest and d cancels: floor(2H/4) = floor(H/2).
  let g = d;
  for (const t of rest) g = gcd(g, Math.abs(t.coef));
  g = gcd(g, r);
  let den = d;
  let restTerms: Term[] = rest;
  if (g > 1) {
    den = d / g;
    r /= g;
    restTerms = rest.map((t) => ({ coef: t.coef / g, atom: t.atom }));
  }
  // floor((floor(X/e) + r)/d) = floor((X + r·e)/(e·d)): nested divisions become one.
  if (restTerms.length === 1 && restTerms[0]!.coef === 1 && restTerms[0]!.atom.kind === 'floor') {
    const inner = restTerms[0]!.atom;
    return add(linear(out, q), floorDiv(add(inner.arg, r * inner.den), inner.den * den));
  }
  const arg = linear(restTerms, r) as Sym;
  const atom: Atom = { kind: 'floor', arg, den, key: `${wrap(keyOf(arg))}//${den}` };
  return linear([...out, { coef: 1, atom }], q);
}

/** ceil(a / d) = floor((a + d − 1) / d). */
export const ceilDiv = (a: Size, d: number): Size => floorDiv(add(a, d - 1), d);

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return Math.abs(a);
}

export const lcm = (a: number, b: number): number => (a / gcd(a, b)) * b;

const keyOf = (s: Sym): string => format(s);

const wrap = (text: string): string => (/^[A-Za-z_][A-Za-z0-9_]*$|^\d+$/.test(text) ? text : `(${text})`);

/** The canonical text: `H`, `2*H + 1`, `(H - 1)//2 + 1`, `512*(H//32)*(W//32)`. */
export function format(s: Size): string {
  if (typeof s === 'number') return String(s);
  let out = '';
  for (const t of s.terms) {
    const body = t.atom.kind === 'var' ? t.atom.name : t.atom.key;
    const mag = Math.abs(t.coef);
    const term = mag === 1 ? body : `${mag}*${t.atom.kind === 'floor' ? `(${body})` : body}`;
    out += out === '' ? (t.coef < 0 ? `-${term}` : term) : t.coef < 0 ? ` - ${term}` : ` + ${term}`;
  }
  if (s.constant !== 0) out += s.constant < 0 ? ` - ${-s.constant}` : ` + ${s.constant}`;
  return out;
}

/** The variables a size depends on. */
export function variables(s: Size, into = new Set<string>()): Set<string> {
  if (typeof s === 'number') return into;
  const visit = (a: Atom) => {
    if (a.kind === 'var') into.add(a.name);
    else if (a.kind === 'floor') variables(a.arg, into);
    else a.factors.forEach((f) => variables(f, into));
  };
  s.terms.forEach((t) => visit(t.atom));
  return into;
}

/** The divisors of the floor divisions in a size (their lcm is its period in each variable). */
export function divisors(s: Size, into: number[] = []): number[] {
  if (typeof s === 'number') return into;
  for (const t of s.terms) {
    if (t.atom.kind === 'floor') {
      into.push(t.atom.den);
      divisors(t.atom.arg, into);
    } else if (t.atom.kind === 'prod') t.atom.factors.forEach((f) => divisors(f, into));
  }
  return into;
}

export type Env = Readonly<Record<string, number>>;

/** The value of a size at concrete variables. */
export function evaluate(s: Size, env: Env): number {
  if (typeof s === 'number') return s;
  let v = s.constant;
  for (const t of s.terms) v += t.coef * atomValue(t.atom, env);
  return v;
}

function atomValue(a: Atom, env: Env): number {
  if (a.kind === 'var') return env[a.name] ?? NaN;
  if (a.kind === 'floor') return Math.floor(evaluate(a.arg, env) / a.den);
  return a.factors.reduce((p, f) => p * evaluate(f, env), 1);
}

export const sameSize = (a: Size, b: Size): boolean => (typeof a === 'number' || typeof b === 'number' ? a === b : format(a) === format(b));
