// Strict loading of starting weights by name (`--weights FILE`): every tensor the model declares must
// be in the file with its shape, and the file may hold nothing else, unless `--init-missing` globs
// name tensors that start afresh on purpose (a new head for other classes). A silent partial load
// would train on from a half-random network, so every mismatch is an error that lists the first few
// names with their closest counterparts.
import { formatShape, type IrGraph } from '../ir.js';
import { declaredWeights, sameShape, type WeightTensor, type Weights } from './tensor.js';

/** How many names of each kind an error lists before counting the rest. */
const SHOWN = 5;

export interface MatchProblem {
  readonly message: string;
  readonly notes: readonly string[];
  readonly hint?: string;
}

export type MatchResult =
  | {
      readonly ok: true;
      /** Every declared weight: from the file, or from `init` for the tensors started afresh. */
      readonly weights: Map<string, WeightTensor>;
      readonly loaded: number;
      /** Declared weights taken from `init` because an --init-missing glob names them. */
      readonly fresh: readonly string[];
    }
  | { readonly ok: false; readonly problem: MatchProblem };

/**
 * A glob over weight names: `*` is any run of characters (dots included), `?` one character. A
 * pattern without wildcards also names everything under it: `fc` is `fc.weight` and `fc.bias`.
 */
export function globMatcher(pattern: string): (name: string) => boolean {
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  const re = new RegExp(`^${source}$`);
  const wild = /[*?]/.test(pattern);
  return (name) => re.test(name) || (!wild && name.startsWith(`${pattern}.`));
}

/** Patterns from repeated or comma-separated flag values: `--init-missing "fc.*,aux_*"`. */
export const splitPatterns = (values: readonly string[]): string[] =>
  values.flatMap((v) => v.split(',')).map((p) => p.trim()).filter(Boolean);

/**
 * Matches `file`'s tensors to the graph's declared weights by exact name and shape. `init` holds a
 * fresh value for every declared weight (used for the --init-missing ones); `origin` names the file
 * in messages.
 */
export function matchWeights(graph: IrGraph, file: Weights, init: Weights, origin: string, initMissing: readonly string[] = []): MatchResult {
  const declared = declaredWeights(graph);
  const matchers = initMissing.map((p) => ({ pattern: p, test: globMatcher(p) }));
  const chosen = (name: string) => matchers.some((m) => m.test(name));
  const unused = matchers.filter((m) => !declared.some((d) => m.test(d.name)));
  if (unused.length > 0) {
    const near = unused.flatMap((m) => closeTo(m.pattern, declared.map((d) => d.name)) ?? []).map((s) => `did you mean '${s}'?`);
    return fail(`--init-missing ${unused.map((m) => `'${m.pattern}'`).join(', ')} matches no weight of ${graph.model}`, near, 'patterns are globs over weight names such as fc.weight: "fc.*" or "fc" (everything under fc)');
  }
  const weights = new Map<string, WeightTensor>();
  const fresh: string[] = [];
  const missing: { name: string; shape: readonly number[] }[] = [];
  const misShaped: string[] = [];
  for (const { name, spec } of declared) {
    const found = file.get(name);
    if (chosen(name)) {
      fresh.push(name);
      weights.set(name, init.get(name)!);
    } else if (!found) missing.push({ name, shape: spec.shape });
    else if (!sameShape(found.shape, spec.shape)) misShaped.push(`${name}: ${formatShape(found.shape)} in ${origin}, ${formatShape(spec.shape)} in ${graph.model}`);
    else weights.set(name, found);
  }
  const names = new Set(declared.map((d) => d.name));
  const unexpected = [...file.keys()].filter((k) => !names.has(k) && !chosen(k));
  if (missing.length + misShaped.length + unexpected.length === 0) return { ok: true, weights, loaded: weights.size - fresh.length, fresh };

  const counts = [
    missing.length && `${missing.length} of ${declared.length} weights of ${graph.model} are not in it`,
    unexpected.length && `it has ${unexpected.length} tensor${unexpected.length === 1 ? '' : 's'} that ${graph.model} does not declare`,
    misShaped.length && `${misShaped.length} tensor${misShaped.length === 1 ? ' has' : 's have'} another shape`,
  ].filter(Boolean);
  const notes: string[] = [];
  const spare = unexpected.map((k) => ({ name: k, shape: file.get(k)!.shape }));
  const wanted = missing.map((m) => ({ name: m.name, shape: m.shape }));
  listed(notes, 'missing', missing, (m) => `${m.name} ${formatShape(m.shape)}${closest(m, spare, 'the file has')}`);
  listed(notes, 'unexpected', spare, (u) => `${u.name} ${formatShape(u.shape)}${closest(u, wanted, 'the model has')}`);
  listed(notes, 'other shape', misShaped, (s) => s);
  const head = misShaped.length > 0 && missing.length === 0 && unexpected.length === 0 ? 'a new head for other classes? ' : '';
  return fail(
    `${origin} does not fit ${graph.model}: ${counts.join('; ')}`,
    notes,
    `${head}names and shapes must match exactly (torchvision state_dict keys for the zoo's torchvision models); ` +
      `--init-missing "fc.*" starts the tensors it names afresh on purpose`,
  );
}

function listed<T>(notes: string[], what: string, items: readonly T[], show: (item: T) => string): void {
  for (const item of items.slice(0, SHOWN)) notes.push(`${what}: ${show(item)}`);
  if (items.length > SHOWN) notes.push(`... and ${items.length - SHOWN} more ${what}`);
}

/** The nearest name on the other side: same shape first, then the fewest edits. */
function closest(of: { name: string; shape: readonly number[] }, among: readonly { name: string; shape: readonly number[] }[], says: string): string {
  let best: { name: string; score: number } | undefined;
  for (const c of among) {
    const score = distance(of.name, c.name) + (sameShape(of.shape, c.shape) ? 0 : 1000);
    if (!best || score < best.score) best = { name: c.name, score };
  }
  return best && best.score < 1000 ? ` (${says} ${best.name})` : '';
}

/** The scope (a dotted prefix of some weight name) nearest a pattern's fixed part, as a glob. */
function closeTo(pattern: string, names: readonly string[]): string | undefined {
  const base = pattern.replace(/\.?[*?]+$/, '');
  const scopes = new Set(names.flatMap((n) => n.split('.').map((_, i, parts) => parts.slice(0, i + 1).join('.'))));
  let best: { name: string; d: number } | undefined;
  for (const s of scopes) {
    const d = distance(base, s);
    if (!best || d < best.d) best = { name: s, d };
  }
  return best && best.d <= Math.max(1, Math.floor(base.length / 3)) ? `${best.name}.*` : undefined;
}

/** Levenshtein distance; the names compared are short enough for the plain table. */
function distance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next.push(Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1)));
    row = next;
  }
  return row[b.length]!;
}

const fail = (message: string, notes: readonly string[], hint?: string): MatchResult => ({ ok: false, problem: { message, notes, hint } });
