// Calls of the standard library in an imported model. A model-level call of an imported block is
// written as a call of a std block (zoo/std) when, for every one of its calls, the std block with
// some arguments computes exactly the same thing: the same ops with the same arguments, wired
// alike, with the same weight names. The arguments are looked for among the imported call's own
// numbers and its input and output widths, like-named parameters first (`filters` ↔ `width`,
// `repeats` ↔ `blocks`), and every candidate is compiled and compared, so a match is never a guess.
// EfficientNet's stages become `mbconv_stage(24, 6, 3, 2, 2, name="features.2")` under
// `use "std/mobilenet"`, and the imported blocks nothing calls any more are dropped. The rewritten
// file is compiled and compared with the original as a whole; any difference keeps the original.
import { compile, type CompileOptions } from '../compiler/compile.js';
import type { IrGraph, IrNode } from '../compiler/ir.js';
import { memoryHost } from '../compiler/memory-host.js';
import { lookupOp } from '../compiler/ops/registry.js';
import { weightName } from '../compiler/weights/tensor.js';
import { parse } from '../dsl/parser.js';
import { SourceFile, type Span } from '../dsl/source.js';
import { valueText } from './call-text.js';
import { libraryBlocks, nameWords, type Library, type LibraryBlock } from './library.js';

/** Candidate calls compiled per import at most, so that a model with no match costs a bounded time. */
const MAX_PROBES = 60;
/** Argument choices tried per imported block and std block. */
const TRIES_PER_PAIR = 6;

const FILE = 'imported.arch';

/** The nodes one model-level call of an imported block made. */
interface Region {
  readonly path: string;
  readonly args: Readonly<Record<string, number>>;
  readonly span: Span;
  readonly nodes: readonly IrNode[];
  /** The one tensor from outside the call that it reads. */
  readonly input: IrNode;
}

/** Where each of the std block's required parameters takes its value: an imported argument, or a width. */
type Choice = readonly string[];

/**
 * A std block and its arguments for every call; `up` is the last word of the calls' module paths
 * when the std block names that level itself (torchvision's `features.2.conv` is MobileNetV2's
 * unit `features.2` calling its layers `conv`): the std call is then named one level up.
 */
interface Match {
  readonly std: LibraryBlock;
  readonly choice: Choice;
  /** Parameters with defaults set from like-named imported arguments (`stride=2`): [parameter, source]. */
  readonly keywords: readonly (readonly [string, string])[];
  readonly up?: string;
}

export function withLibraryCalls(text: string, library: Library): string {
  const original = compileGraph(FILE, { ...library, [FILE]: text });
  if (!original) return text;
  const budget = { probes: MAX_PROBES };
  const replacements: { span: Span; text: string }[] = [];
  const modules = new Set<string>();
  for (const regions of modelCalls(original, text).values()) {
    const found = findStdCall(original, regions, library, budget);
    if (!found) continue;
    modules.add(found.std.module);
    // A call in a loop is one span for several regions: replaced once, its name= expression kept.
    for (const r of new Map(regions.map((r) => [r.span.start.offset, r])).values()) {
      const call = text.slice(r.span.start.offset, r.span.end.offset);
      const name = call.slice(call.lastIndexOf('name='), -1);
      // `name="features.2.conv"` → `name="features.2"`; `... + str(i) + ".conv"` → `... + str(i)`.
      const named = found.up ? name.replace(new RegExp(`( \\+ "\\.${found.up}"|\\.${found.up}")$`), (m) => (m.startsWith(' ') ? '' : '"')) : name;
      replacements.push({ span: r.span, text: stdCallText(found, r, named)! });
    }
  }
  if (replacements.length === 0) return text;
  let rewritten = text;
  for (const r of replacements.sort((a, b) => b.span.start.offset - a.span.start.offset)) {
    rewritten = rewritten.slice(0, r.span.start.offset) + r.text + rewritten.slice(r.span.end.offset);
  }
  rewritten = withUses(dropUncalledBlocks(rewritten), [...modules].sort());
  const again = compileGraph(FILE, { ...library, [FILE]: rewritten });
  if (!again || !sameGraph(original, again)) return text;
  // The std blocks were matched at the size imported at; a file with size variables compiles at
  // others too, where the two must still agree (a pad that depends on the size could tell them apart).
  const larger = original.sizes?.length ? largerInputs(original) : undefined;
  if (larger) {
    const before = compileGraph(FILE, { ...library, [FILE]: text }, { inputs: larger });
    const after = compileGraph(FILE, { ...library, [FILE]: rewritten }, { inputs: larger });
    if (before && (!after || !sameGraph(before, after))) return text;
  }
  return rewritten;
}

/** Every input with size variables at twice each of them (`[3, H, W]` at 96 → [3, 192, 192]). */
function largerInputs(graph: IrGraph): Record<string, number[]> {
  const inputs: Record<string, number[]> = {};
  for (const v of graph.sizes ?? []) {
    const node = graph.inputs.find((i) => i.name === v.input)?.node;
    if (node === undefined) continue;
    const shape = (inputs[v.input] ??= [...graph.nodes[node]!.shape]);
    shape[v.axis] = 2 * v.value;
  }
  return inputs;
}

function compileGraph(path: string, files: Record<string, string>, options: CompileOptions = {}): IrGraph | undefined {
  const result = compile(path, memoryHost(files), { noSuggestions: true, ...options });
  return result.ok && result.graph && !result.diagnostics.some((d) => d.severity === 'error') ? result.graph : undefined;
}

/** The model's calls of its own blocks that read one tensor and give one, by block name. */
function modelCalls(graph: IrGraph, text: string): Map<string, Region[]> {
  // A call in a loop runs once per index, each time under its own path.
  const bySite = new Map<string, { block: string; path?: string; args: Record<string, number>; span: Span; nodes: IrNode[] }>();
  for (const n of graph.nodes) {
    const call = n.blocks?.at(-1);
    const span = n.callStack.at(-1);
    if (!call || !span || span.file !== FILE) continue;
    const key = `${span.start.offset} ${call.path}`;
    const site = bySite.get(key) ?? { block: call.block, path: call.path, args: call.args, span, nodes: [] };
    site.nodes.push(n);
    bySite.set(key, site);
  }
  const usedBy = new Map<number, number[]>();
  const use = (id: number, by: number) => (usedBy.get(id) ?? usedBy.set(id, []).get(id)!).push(by);
  for (const n of graph.nodes) for (const i of n.inputs) use(i, n.id);
  for (const o of graph.outputs) use(o.node, -1);
  const calls = new Map<string, Region[]>();
  for (const site of bySite.values()) {
    const inside = new Set(site.nodes.map((n) => n.id));
    const outside = [...new Set(site.nodes.flatMap((n) => n.inputs.filter((i) => !inside.has(i))))];
    const last = site.nodes.at(-1)!;
    const leaks = site.nodes.some((n) => n !== last && (usedBy.get(n.id) ?? []).some((u) => !inside.has(u)));
    if (!site.path || outside.length !== 1 || leaks || !text.startsWith(`${site.block}(`, site.span.start.offset)) continue;
    const region: Region = { path: site.path, args: site.args, span: site.span, nodes: site.nodes, input: graph.nodes[outside[0]!]! };
    (calls.get(site.block) ?? calls.set(site.block, []).get(site.block)!).push(region);
  }
  return calls;
}

/** Ops a block makes without writing their names: `y + x`, `s * y`, `x * 0.5`. */
const INFIX_OPS = new Set(['add', 'sub', 'mul', 'div', 'scalar']);

/** A std block and arguments that make every region, or undefined. */
function findStdCall(graph: IrGraph, regions: readonly Region[], library: Library, budget: { probes: number }): Match | undefined {
  // The call with the most distinct numbers tells the parameters apart best.
  const distinct = (r: Region) => new Set(Object.values(r.args)).size;
  const first = [...regions].sort((a, b) => distinct(b) - distinct(a))[0]!;
  const weighted = first.nodes.filter((n) => weightNames(graph, n).length > 0);
  const ops = new Set(first.nodes.map((n) => n.op).filter((op) => !INFIX_OPS.has(op)));
  const words = new Set(weighted.flatMap((n) => nameWords(n.name.slice(first.path.length))));
  const sources = [...Object.keys(first.args), 'out', 'in'];
  // Std blocks that can make these ops and names, those with as many parameters as the call first.
  const distance = (b: LibraryBlock) => Math.abs(b.required.length - Object.keys(first.args).length);
  const candidates = libraryBlocks(library)
    .filter((b) => b.required.length <= sources.length && [...ops].every((o) => b.ops.has(o)) && [...words].every((w) => b.words.has(w)))
    .sort((a, b) => distance(a) - distance(b));
  const last = /\.([A-Za-z_]\w*)$/.exec(first.path)?.[1];
  const upWord = last && regions.every((r) => r.path.endsWith(`.${last}`)) ? last : undefined;
  for (const std of candidates) {
    for (const choice of choices(std, first, sources)) {
      for (const up of upWord && std.words.has(upWord) ? [undefined, upWord] : [undefined]) {
        const match: Match = { std, choice, keywords: keywords(std, choice, first), ...(up ? { up } : {}) };
        const matches = (r: Region) => budget.probes-- > 0 && probe(graph, match, r, library);
        if (matches(first) && regions.every((r) => r === first || matches(r))) return match;
        if (budget.probes <= 0) return undefined;
      }
    }
  }
  return undefined;
}

/** Parameter names that play one part: a std block's `filters` is an imported block's `width`. */
const ROLES = [
  ['filters', 'width', 'channels', 'planes', 'features', 'hidden', 'dim'],
  ['repeats', 'blocks', 'depth', 'layers', 'count', 'n'],
  ['kernel', 'k', 'size'],
  ['expand', 'expansion', 'ratio', 't'],
];
const role = (name: string): string => {
  const base = name.replace(/\d+$/, '');
  return ROLES.find((g) => g.includes(base))?.[0] ?? base;
};

/**
 * The argument choices to try, best first: each parameter ranks the sources (like-named arguments,
 * then for a width the call's output and input widths, then the rest), and choices are taken in
 * order of their summed ranks, at most TRIES_PER_PAIR that give different numbers.
 */
function choices(std: LibraryBlock, region: Region, sources: readonly string[]): Choice[] {
  const ranked = std.required.map((p) => {
    const own = sources.filter((s) => s !== 'out' && s !== 'in' && role(s) === role(p));
    const widths = role(p) === 'filters' ? ['out', 'in'] : [];
    return [...new Set([...own, ...widths, ...sources])];
  });
  const out: Choice[] = [];
  const seen = new Set<string>();
  const maxSum = ranked.reduce((n, r) => n + r.length - 1, 0);
  for (let sum = 0; sum <= maxSum && out.length < TRIES_PER_PAIR; sum++) {
    const pick = (i: number, left: number, chosen: string[]): void => {
      if (out.length >= TRIES_PER_PAIR) return;
      if (i === ranked.length) {
        // Each source once: one number standing for two parameters is a coincidence to not rely on.
        const key = JSON.stringify(chosen.map((s) => valueOf(s, region)));
        if (left === 0 && new Set(chosen).size === chosen.length && !seen.has(key)) (seen.add(key), out.push([...chosen]));
        return;
      }
      for (let r = 0; r <= Math.min(left, ranked[i]!.length - 1); r++) pick(i + 1, left - r, [...chosen, ranked[i]![r]!]);
    };
    pick(0, sum, []);
  }
  return out;
}

/** Each parameter with a default that a like-named imported argument, not chosen already, sets. */
function keywords(std: LibraryBlock, choice: Choice, region: Region): [string, string][] {
  const free = Object.keys(region.args).filter((s) => !choice.includes(s));
  const out: [string, string][] = [];
  for (const p of std.optional) {
    const source = free.find((s) => role(s) === role(p.name) && !out.some(([, used]) => used === s));
    if (source) out.push([p.name, source]);
  }
  return out;
}

const valueOf = (source: string, r: Region): number | undefined =>
  source === 'out' ? r.nodes.at(-1)!.shape[0] : source === 'in' ? r.input.shape[0] : r.args[source];

/** `mbconv_stage(24, 6, 3, 2, 2, name="features.2")`, or undefined where a source has no number. */
function stdCallText({ std, choice, keywords, up }: Match, r: Region, name = `name=${JSON.stringify(up ? r.path.slice(0, -up.length - 1) : r.path)}`): string | undefined {
  const values = choice.map((s) => valueOf(s, r));
  if (values.some((v) => v === undefined)) return undefined;
  // A keyword at its default is left out, as a person would.
  const set = keywords.map(([p, s]) => [p, valueOf(s, r)!] as const).filter(([p, v]) => v !== std.optional.find((o) => o.name === p)!.default);
  return `${std.name}(${[...values.map((v) => valueText(v!)), ...set.map(([p, v]) => `${p}=${valueText(v)}`), name].join(', ')})`;
}

/** Whether the std call, compiled on the region's input alone, makes exactly the region's nodes. */
function probe(graph: IrGraph, match: Match, r: Region, library: Library): boolean {
  const call = stdCallText(match, r);
  if (!call || !r.input.shape.every((d) => Number.isInteger(d))) return false;
  const text = `use "${match.std.module}"\n\nmodel probe {\n  input x: [${r.input.shape.join(', ')}]\n  output y = x |> ${call}\n}\n`;
  // One node more than the region has is enough to know a candidate is wrong.
  const made = compileGraph('probe.arch', { ...library, 'probe.arch': text }, { maxNodes: r.nodes.length + 2 });
  if (!made || made.nodes.length !== r.nodes.length + 1) return false;
  const index = new Map([[r.input.id, 0], ...r.nodes.map((n, i) => [n.id, i + 1] as [number, number])]);
  return r.nodes.every((n, i) => sameNode(graph, n, (id) => index.get(id) ?? -1, made, made.nodes[i + 1]!, (id) => id));
}

const COMMUTATIVE = new Set(['add', 'mul', 'max', 'min']);

function sameNode(ga: IrGraph, a: IrNode, mapA: (id: number) => number, gb: IrGraph, b: IrNode, mapB: (id: number) => number): boolean {
  const wiring = (n: IrNode, map: (id: number) => number) => {
    const ids = n.inputs.map(map);
    return JSON.stringify(COMMUTATIVE.has(n.op) ? ids.sort((x, y) => x - y) : ids);
  };
  return a.op === b.op && a.frozen === b.frozen && a.shape.join() === b.shape.join() && argsText(a) === argsText(b) &&
    wiring(a, mapA) === wiring(b, mapB) && weightNames(ga, a).join() === weightNames(gb, b).join();
}

/** The arguments in a fixed order: calls write them in any order. */
const argsText = (n: IrNode): string => JSON.stringify(Object.keys(n.args).sort().map((k) => [k, n.args[k]]));

function sameGraph(a: IrGraph, b: IrGraph): boolean {
  const ends = (g: IrGraph) => JSON.stringify([g.inputs, g.outputs]);
  return a.nodes.length === b.nodes.length && ends(a) === ends(b) && a.nodes.every((n, i) => sameNode(a, n, (id) => id, b, b.nodes[i]!, (id) => id));
}

function weightNames(graph: IrGraph, n: IrNode): string[] {
  const specs = lookupOp(n.op)?.weights?.(n.attrs, n.inputs.map((i) => graph.nodes[i]!.shape)) ?? [];
  return specs.map((s) => weightName(n, s.name));
}

/** The text without the blocks nothing calls any more (comments and strings do not count as calls). */
function dropUncalledBlocks(text: string): string {
  for (;;) {
    const parsed = parse(new SourceFile(FILE, text));
    const code = (from: number, to: number) => text.slice(from, to).replace(/\/\/.*$/gm, '').replace(/"([^"\\]*)"/g, '""');
    const uncalled = parsed.file.decls.find((d) => {
      if (d.kind !== 'block') return false;
      const called = new RegExp(`\\b${d.name}\\b`);
      return !called.test(code(0, d.span.start.offset)) && !called.test(code(d.span.end.offset, text.length));
    });
    if (!uncalled) return text;
    // The block and the blank line before it.
    const start = text.lastIndexOf('\n\n', uncalled.span.start.offset);
    text = text.slice(0, start < 0 ? uncalled.span.start.offset : start + 1) + text.slice(uncalled.span.end.offset).replace(/^\n/, '');
  }
}

/** `use` lines for the std modules, before the model. */
function withUses(text: string, modules: readonly string[]): string {
  const at = text.search(/^model /m);
  return `${text.slice(0, at)}${modules.map((m) => `use "${m}"\n`).join('')}\n${text.slice(at)}`;
}
