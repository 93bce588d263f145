// Block calls in a row become loops and stages. Consecutive calls with equal arguments are a `for`
// loop; their module paths (`features.denseblock1.denselayer1`, ...2, ...) are written from the loop
// index, `name="features.denseblock1.denselayer" + str(i)`, so every weight keeps its name. A
// network's stages — units `S.0`, `S.1`, ... under one module path S (a ResNet layer: a bottleneck
// that changes the width or the stride, then equal ones) — become one stage block with the unit's
// parameters and the count, called once per stage:
//
//   block stage(x, width, stride, blocks) {
//     for i in 0..blocks {
//       x = x |> layer(width, if i == 0 { stride } else { 1 }, name=str(i))
//     }
//     return x
//   }
//   ...
//   x = x |> stage(128, 2, 4, name="layer2")
//
// An argument the first unit of every stage gives differently from the rest is `if i == 0 { … }`.
import type { Shape } from '../compiler/ir.js';
import type { ArgValue } from '../compiler/ops/op.js';
import { valueText } from './call-text.js';
import type { Unit } from './emit-body.js';
import { identifier } from './emit.js';

export interface MadeBlock {
  readonly name: string;
  readonly text: string;
  readonly params: readonly { readonly name: string; readonly values: readonly ArgValue[] }[];
  /** Whether its calls pass their module path as name=. */
  readonly named: boolean;
  /** Each instance's module path. */
  readonly prefixes: readonly (string | undefined)[];
}

/** A unit of the model body, or a call of a block (instance `instance` of it). */
export type Entry =
  | { readonly unit: Unit; readonly call?: undefined }
  | { readonly unit?: undefined; readonly call: Call };

interface Call {
  readonly block: MadeBlock;
  readonly instance: number;
  readonly input: number;
  readonly output: number;
  /** The shape written after the call (`: [256, 56, 56]`); none where the input's size is a variable. */
  readonly annotate?: Shape;
  readonly prefix?: string;
}

const valuesOf = (c: Call): ArgValue[] => c.block.params.map((p) => p.values[c.instance]!);
const sameArgs = (a: Call, b: Call): boolean => a.block === b.block && JSON.stringify(valuesOf(a)) === JSON.stringify(valuesOf(b));
const quote = (s: string) => JSON.stringify(s);

/** `head + str(i) + tail` when the names differ only in one number that counts up by one. */
export function indexedName(names: readonly (string | undefined)[]): { head: string; tail: string; from: number } | undefined {
  if (names.length < 2 || names.some((n) => n === undefined)) return undefined;
  const [a, b] = [names[0]!, names[1]!];
  let d = 0;
  while (d < a.length && a[d] === b[d]) d++;
  let start = d;
  while (start > 0 && /\d/.test(a[start - 1]!)) start--;
  const head = a.slice(0, start);
  const parsed = names.map((n) => /^(\d+)(.*)$/.exec(n!.slice(start)));
  if (parsed.some((p, k) => !names[k]!.startsWith(head) || !p || (p[1]!.length > 1 && p[1]!.startsWith('0')))) return undefined;
  const tail = parsed[0]![2]!;
  const from = Number(parsed[0]![1]);
  return parsed.every((p, k) => Number(p![1]) === from + k && p![2] === tail) ? { head, tail, from } : undefined;
}

/** The DSL expression for `head + str(i) + tail`. */
const nameExpr = (head: string, tail: string, index = 'i'): string => [...(head ? [quote(head)] : []), `str(${index})`, ...(tail ? [quote(tail)] : [])].join(' + ');

function callText(block: MadeBlock, args: readonly string[], name?: string): string {
  const all = name ? [...args, `name=${name}`] : args;
  return all.length === 0 ? block.name : `${block.name}(${all.join(', ')})`;
}

export function arrange(entries: readonly Entry[], outputs: ReadonlySet<number>, taken: Set<string>): { units: Unit[]; blocks: string[] } {
  const units: Unit[] = [];
  const blocks: string[] = [];
  const made = new Map<string, MadeBlock & { stageParams: string[] }>();
  for (let k = 0; k < entries.length; ) {
    const e = entries[k]!;
    if (!e.call) {
      units.push(e.unit);
      k++;
      continue;
    }
    const stages = stageRun(entries, k, outputs);
    const plain = stages.reduce((n, s) => n + 1 + (s.calls.length > 2 ? 3 : s.calls.length - 1), 0);
    if (stages.length >= 2 && stages.length + 8 < plain) {
      const plan = stagePlan(stages);
      const key = plan.text('stage');
      let block = made.get(key);
      if (!block) {
        const name = identifier('stage', taken);
        taken.add(name);
        block = { name, text: plan.text(name), params: [], named: true, prefixes: [], stageParams: plan.params };
        made.set(key, block);
        blocks.push(block.text);
      }
      stages.forEach((s, i) => {
        const [first, last] = [s.calls[0]!, s.calls.at(-1)!];
        const args = [...plan.values[i]!.map((v) => valueText(v)), String(s.calls.length)];
        units.push({ inputs: [first.input], output: last.output, unary: true, starts: true, ...(last.annotate ? { annotate: last.annotate } : {}), text: () => callText(block!, args, quote(s.path)) });
      });
      k += stages.reduce((n, s) => n + s.calls.length, 0);
      continue;
    }
    // A loop over equal calls, when their names can be written from the loop index.
    let run = 1;
    while (k + run < entries.length && entries[k + run]!.call && sameArgs(e.call, entries[k + run]!.call!) && !outputs.has(entries[k + run - 1]!.call!.output)) run++;
    const calls = entries.slice(k, k + run).map((x) => x.call!);
    const index = e.call.block.named ? indexedName(calls.map((c) => c.prefix)) : undefined;
    if (run > 1 && (index || !e.call.block.named)) {
      const args = valuesOf(e.call).map((v) => valueText(v));
      const name = index ? nameExpr(index.head, index.tail) : undefined;
      const from = index?.from ?? 0;
      units.push({ inputs: [e.call.input], output: calls.at(-1)!.output, unary: true, starts: true, repeat: run, ...(from ? { repeatFrom: from } : {}), text: () => callText(e.call!.block, args, name) });
      k += run;
      continue;
    }
    const c = e.call;
    const args = valuesOf(c).map((v) => valueText(v));
    units.push({ inputs: [c.input], output: c.output, unary: true, starts: true, ...(c.annotate ? { annotate: c.annotate } : {}), text: () => callText(c.block, args, c.block.named && c.prefix ? quote(c.prefix) : undefined) });
    k++;
  }
  return { units, blocks };
}

interface Stage {
  /** The stage's module path: its units are `<path>.0<tail>`, `<path>.1<tail>`, ... */
  readonly path: string;
  readonly firstTail: string;
  readonly tail: string;
  readonly calls: readonly Call[];
}

/** Stages from entry k on: runs of calls named `S.0…`, `S.1…` whose units after the first are alike. */
function stageRun(entries: readonly Entry[], k: number, outputs: ReadonlySet<number>): Stage[] {
  const stages: Stage[] = [];
  while (k < entries.length) {
    const s = stageAt(entries, k, outputs);
    if (!s) break;
    const [a, b] = [s.calls[0]!, s.calls[1]];
    const rest = s.calls.slice(1);
    if (rest.some((c) => !sameArgs(c, b!))) break;
    if (stages.length > 0) {
      const first = stages[0]!;
      const fb = first.calls[1] ?? stages.find((x) => x.calls.length > 1)?.calls[1];
      if (a.block !== first.calls[0]!.block || s.firstTail !== first.firstTail || (s.calls.length > 1 && s.tail !== first.tail) || (b && fb && b.block !== fb.block)) break;
    }
    stages.push(s);
    k += s.calls.length;
    if (outputs.has(s.calls.at(-1)!.output)) break;
  }
  return stages;
}

function stageAt(entries: readonly Entry[], k: number, outputs: ReadonlySet<number>): Stage | undefined {
  const first = entries[k]?.call;
  if (!first?.block.named || !first.prefix) return undefined;
  const parts = first.prefix.split('.');
  let best: Stage | undefined;
  parts.forEach((p, j) => {
    if (p !== '0' || j === 0) return;
    const path = parts.slice(0, j).join('.');
    // The first unit's path may go deeper than the others' (ShuffleNet's `stage2.0`, then
    // `stage2.1.branch2`, ...: only the first unit has weights outside branch2).
    const firstTail = parts.slice(j + 1).map((x) => `.${x}`).join('');
    let tail: string | undefined;
    const calls: Call[] = [first];
    for (let n = 1; k + n < entries.length && !outputs.has(calls.at(-1)!.output); n++) {
      const c = entries[k + n]!.call;
      const head = `${path}.${n}`;
      if (!c?.block.named || !c.prefix || !(c.prefix === head || c.prefix.startsWith(`${head}.`))) break;
      const t = c.prefix.slice(head.length);
      if (tail !== undefined && t !== tail) break;
      tail = t;
      calls.push(c);
    }
    if (!best || calls.length > best.calls.length) best = { path, firstTail, tail: tail ?? firstTail, calls };
  });
  return best;
}

/** The stage block's parameters, each stage's values for them, and its text. */
function stagePlan(stages: readonly Stage[]) {
  const a = stages[0]!.calls[0]!.block;
  const b = stages.find((s) => s.calls.length > 1)!.calls[1]!.block;
  const params: string[] = [];
  const values: ArgValue[][] = stages.map(() => []);
  const argument = (vector: readonly ArgValue[], base: string): string => {
    const json = vector.map((v) => JSON.stringify(v));
    if (json.every((j) => j === json[0])) return valueText(vector[0]!);
    const same = params.findIndex((_, p) => JSON.stringify(values.map((v) => v[p])) === JSON.stringify(vector));
    if (same >= 0) return params[same]!;
    let name = base;
    for (let n = 2; params.includes(name) || ['x', 'i', 'blocks'].includes(name); n++) name = `${base}${n}`;
    params.push(name);
    vector.forEach((v, i) => values[i]!.push(v));
    return name;
  };
  const firstValues = (j: number) => stages.map((s) => valuesOf(s.calls[0]!)[j]!);
  const restValues = (j: number) => stages.map((s) => (s.calls[1] ? valuesOf(s.calls[1])[j]! : undefined));
  const tail = stages.find((s) => s.calls.length > 1)!.tail;
  const firstTail = stages[0]!.firstTail;
  let body: string[];
  if (a === b && tail === firstTail) {
    const args = a.params.map((p, j) => {
      const [f, r] = [firstValues(j), restValues(j)];
      const fa = argument(f, p.name);
      if (r.every((v, i) => v === undefined || JSON.stringify(v) === JSON.stringify(f[i]))) return fa;
      const ra = argument(r.map((v, i) => v ?? f[i]!), `${p.name}_rest`);
      return `if i == 0 { ${fa} } else { ${ra} }`;
    });
    body = [`  for i in 0..blocks {`, `    x = x |> ${callText(b, args, nameExpr('', tail))}`, `  }`];
  } else {
    const aArgs = a.params.map((p, j) => argument(firstValues(j), p.name));
    const bArgs = b.params.map((p, j) => argument(restValues(j).map((v) => v ?? b.params[j]!.values[0]!), p.name));
    body = [`  x = x |> ${callText(a, aArgs, quote(`0${firstTail}`))}`, `  for i in 1..blocks {`, `    x = x |> ${callText(b, bArgs, nameExpr('', tail))}`, `  }`];
  }
  const text = (name: string) => [`block ${name}(${['x', ...params, 'blocks'].join(', ')}) {`, ...body, `  return x`, `}`].join('\n');
  return { params, values, text };
}
