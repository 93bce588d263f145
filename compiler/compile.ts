// The pipeline: load → resolve → expand (with shape inference) → count → lint → expect. Each pass is a
// pure function returning its result and diagnostics; compile() never throws for a user error.
import { SourceFile } from '../dsl/source.js';
import type { BlockDecl, ModelDecl } from '../dsl/ast.js';
import { diagnostic, hasErrors, sortDiagnostics, type Diagnostic } from './diagnostics.js';
import type { IrGraph } from './ir.js';
import { fileSpan, load, type CompileHost, type LoadResult, type Module } from './loader.js';
import { deepestNode } from '../dsl/depth-limits.js';
import { resolve } from './passes/resolve.js';
import { checkable, checkBlockAlone, expand, type ExpandOptions } from './expand/index.js';
import { count } from './passes/count.js';
import { lint } from './passes/lint.js';
import { suggestInputSizes } from './passes/suggest-input-sizes.js';
import { checkFileAllows, dropFileAllowed } from './allow.js';
import { analyzeSizes, violations, type SizeAnalysis } from './symbolic/index.js';
import type { ModelReport } from './report.js';

export interface CompileOptions extends ExpandOptions {
  /** Which model of the file to compile; by default the file's only (or first) model. */
  readonly model?: string;
  /** The source text, when it does not come from the host. */
  readonly text?: string;
  /** Skip the search for input sizes that would fix a merge error (used by that search itself). */
  readonly noSuggestions?: boolean;
}

export interface CompileResult {
  readonly ok: boolean;
  readonly graph?: IrGraph;
  readonly report?: ModelReport;
  readonly diagnostics: readonly Diagnostic[];
  /** Every file read, for printing diagnostics with their source lines. */
  readonly sources: ReadonlyMap<string, SourceFile>;
  /** For inputs with size variables: symbolic shapes, derived conditions, MACs as a formula. */
  readonly sizes?: SizeAnalysis;
  /**
   * For inputs with size variables: the same model compiled with these inputs replaced (the
   * others as given), or undefined when that fails; size-generic targets compare against it.
   */
  readonly compileAt?: (inputs: Readonly<Record<string, readonly number[]>>) => IrGraph | undefined;
  /** The file's blocks checked on their own (nothing calls them), with the conditions on their sizes. */
  readonly loneBlocks?: readonly { readonly block: string; readonly validity?: string }[];
}

export function compile(path: string, host: CompileHost, options: CompileOptions = {}): CompileResult {
  const progress: Progress = {};
  try {
    return run(path, host, options, progress);
  } catch (e) {
    const deep = progress.loaded && ranOutOfStack(e, progress.loaded);
    if (deep) return deep;
    // A bug in archc, never the user's fault: say so distinctly, with what we know.
    const where = fileSpan(path);
    const detail = e instanceof Error ? (e.stack ?? e.message) : String(e);
    return {
      ok: false,
      diagnostics: [diagnostic('E0900', `internal compiler error: ${e instanceof Error ? e.message : String(e)}`, where, {
        notes: detail.split('\n').slice(1, 6).map((l) => l.trim()),
        hint: 'this is a bug in archc, not in your model; please report it with the file that triggered it',
      })],
      sources: new Map(),
    };
  }
}

interface Progress {
  loaded?: LoadResult;
}

/**
 * The nesting limits (dsl/depth-limits.ts) keep every pass within V8's default stack with room to
 * spare; should a pass still run out (a deep expression inside blocks nested 64 calls deep), the
 * error points at the most deeply nested code instead of being an internal error.
 */
function ranOutOfStack(e: unknown, loaded: LoadResult): CompileResult | undefined {
  if (!(e instanceof RangeError) || !/call stack/i.test(e.message) || !loaded.root) return undefined;
  const where = deepestNode(loaded.root.ast.decls) ?? fileSpan(loaded.root.ast.path);
  const message = 'the code here is nested too deeply for archc to compile (its stack ran out)';
  return { ok: false, diagnostics: [diagnostic('E0104', message, where, { hint: 'split the expression into several statements' })], sources: loaded.sources };
}

function run(path: string, host: CompileHost, options: CompileOptions, progress: Progress = {}): CompileResult {
  const loaded = load(path, host, options.text);
  progress.loaded = loaded;
  const diagnostics = [...loaded.diagnostics];
  const done = (extra: Partial<CompileResult> = {}): CompileResult => {
    const all = dedupe(sortDiagnostics(dropFileAllowed(diagnostics, loaded.modules.values())));
    return { ok: !hasErrors(all), diagnostics: all, sources: loaded.sources, ...extra };
  };
  if (loaded.fatal || !loaded.root) return done();
  for (const d of resolve(loaded.modules.values())) diagnostics.push(d); // no spread: a file may hold 130k blocks
  for (const d of checkFileAllows(loaded.modules.values())) diagnostics.push(d);
  const model = pickModel(loaded.root.ast.decls.filter((d): d is ModelDecl => d.kind === 'model'), options.model);
  if (!model) {
    const names = loaded.root.ast.decls.filter((d) => d.kind === 'model').map((d) => d.name);
    const blocks = loaded.root.ast.decls.filter((d) => d.kind === 'block').map((d) => d.name);
    const message = options.model
      ? `no model named '${options.model}' in this file${names.length ? ` (it has ${names.join(', ')})` : ''}`
      : `this file defines no model${blocks.length ? `, only blocks (${blocks.slice(0, 5).join(', ')}${blocks.length > 5 ? ', ...' : ''})` : ''}`;
    const hint = names.length ? `pick one with --model ${names[0]}` : 'a file to compile needs a `model name { ... }`; a file of blocks is imported with `use`';
    diagnostics.push(diagnostic('E0208', message, fileSpan(path), { hint }));
    const lone = uncalledBlocks(loaded.root, new Set());
    for (const d of lone.diagnostics) diagnostics.push(d);
    return done(lone.blocks.length ? { loneBlocks: lone.blocks } : {});
  }
  const expanded = expand(model, loaded.root, options);
  const lone = uncalledBlocks(loaded.root, expanded.called);
  for (const d of lone.diagnostics) diagnostics.push(d);
  const broken = sizedOverrides(expanded.graph, path, host, options);
  if (broken.length) {
    diagnostics.push(...broken);
    return done();
  }
  for (const d of explainMerges(expanded.diagnostics, expanded.graph, path, host, options)) diagnostics.push(d);
  if (!expanded.graph || hasErrors(expanded.diagnostics)) return done({ graph: expanded.graph });
  const report = count(expanded.graph);
  for (const d of lint(expanded.graph, report.memory.weights)) diagnostics.push(d);
  const counters = {
    params: report.params.learnable,
    buffers: report.params.buffers,
    trainable: report.params.trainable,
    frozen_params: report.params.frozen,
    macs: report.macs,
    flops: report.flops,
  };
  // Expects pin the model as written; with --set/--input overrides it is another model, so a
  // failed expect is reported as a warning (e.g. `expect params == ...` under --set classes=3).
  const overridden = Object.keys(options.params ?? {}).length + Object.keys(options.inputs ?? {}).length > 0;
  for (const e of expanded.expects) {
    const d = e.evaluate(counters);
    if (d) diagnostics.push(overridden && d.code === 'E0501' ? overriddenExpect(d) : d);
  }
  const result = done({ graph: expanded.graph, report, ...(lone.blocks.length ? { loneBlocks: lone.blocks } : {}) });
  if (expanded.graph.sizes) {
    // The size analysis roughly doubles a compile; only check, summary and --input ask for it.
    const graph = expanded.graph;
    let sizes: SizeAnalysis | undefined | null = null;
    Object.defineProperty(result, 'sizes', { enumerable: true, get: () => (sizes === null ? (sizes = analyzeSizes(graph, report.layers.map((l) => l.macs))) : sizes) });
    const compileAt = (inputs: Readonly<Record<string, readonly number[]>>) => {
      const again = compile(path, host, { ...options, inputs: { ...options.inputs, ...(inputs as Record<string, number[]>) }, noSuggestions: true });
      return again.ok ? again.graph : undefined;
    };
    Object.defineProperty(result, 'compileAt', { enumerable: false, value: compileAt });
  }
  return result;
}

/** The errors in the file's blocks that declare their shapes and that the model does not call. */
function uncalledBlocks(root: Module, called: ReadonlySet<BlockDecl>): { diagnostics: Diagnostic[]; blocks: { block: string; validity?: string }[] } {
  const out: Diagnostic[] = [];
  const blocks: { block: string; validity?: string }[] = [];
  let checked = 0;
  for (const decl of root.ast.decls) {
    // A generated file may hold thousands of blocks: the first ones are checked, as an editor needs.
    if (decl.kind !== 'block' || called.has(decl) || !checkable(decl) || ++checked > MAX_LONE_BLOCKS) continue;
    try {
      const lone = checkBlockAlone(decl, root);
      out.push(...lone.diagnostics);
      blocks.push({ block: lone.block, ...(lone.sizes ? { validity: lone.sizes.validity } : {}) });
    } catch (e) {
      if (!(e instanceof RangeError)) throw e; // too deeply nested to check on its own: its callers will
    }
  }
  return { diagnostics: out, blocks };
}

/** How many uncalled blocks of one file are checked on their own. */
const MAX_LONE_BLOCKS = 64;

/**
 * `--input image=3x100x100` on an input with size variables: the sizes are checked against the
 * conditions derived at the defaults, and a broken one is reported at its cause (the op that
 * requires it) with the nearest sizes that work, instead of the merge error it would lead to.
 */
function sizedOverrides(graph: IrGraph | undefined, path: string, host: CompileHost, options: CompileOptions): Diagnostic[] {
  const overridden = (graph?.sizes ?? []).filter((v) => options.inputs?.[v.input] !== undefined);
  if (overridden.length === 0 || options.noSuggestions) return [];
  const inputs = Object.fromEntries(Object.entries(options.inputs ?? {}).filter(([name]) => !overridden.some((v) => v.input === name)));
  const atDefaults = run(path, host, { ...options, inputs, noSuggestions: true });
  if (!atDefaults.sizes) return [];
  const values = Object.fromEntries(overridden.map((v) => [v.name, options.inputs![v.input]![v.axis]!]));
  return violations(atDefaults.sizes, values).map((v) => {
    const input = overridden.find((o) => o.name === v.variable)!;
    const size = options.inputs![input.input]!.join('×');
    const at = v.failing?.span ?? fileSpan(path);
    return diagnostic('E0308', `input '${input.input}' at ${size}: ${v.variable} = ${v.value} is not a size this model takes; it needs ${v.condition}`, at, {
      notes: [...(v.failing ? [`${v.failing.why}: ${v.arithmetic}`] : []), `the model is ${atDefaults.sizes!.validity}`],
      hint: v.nearest.length ? `the nearest sizes that work: ${v.variable} = ${v.nearest.join(' or ')}` : undefined,
    });
  });
}

function overriddenExpect(d: Diagnostic): Diagnostic {
  return {
    ...d,
    code: 'W0107',
    severity: 'warning',
    message: d.message.replace(/^expect failed/, 'expect does not hold with the overrides'),
    notes: [...d.notes, 'the expects describe the model with its default parameters and input shapes'],
  };
}

/** Adds the input sizes that would work to the first spatial merge error (concat or add). */
function explainMerges(ds: readonly Diagnostic[], graph: IrGraph | undefined, path: string, host: CompileHost, options: CompileOptions): Diagnostic[] {
  // Only a spatial mismatch can come from the input size; the expander adds each side's size
  // history ("input 0: image 35×35 → ...") exactly then; the search costs up to ~100 recompiles.
  // With other errors in the model the search would mostly measure those: skip it then.
  const first = ds.findIndex((d) => (d.code === 'E0401' || d.code === 'E0302') && d.notes.some((n) => /^input \d+: /.test(n)));
  const alone = ds.filter((d) => d.severity === 'error').length === 1;
  if (first < 0 || !alone || !graph || options.noSuggestions) return [...ds];
  const recompile = (inputs: Record<string, number[]>) => run(path, host, { ...options, inputs: { ...options.inputs, ...inputs }, noSuggestions: true }).diagnostics;
  const out = [...ds];
  out[first] = suggestInputSizes(ds[first]!, graph, recompile);
  return out;
}

function pickModel(models: ModelDecl[], name?: string): ModelDecl | undefined {
  if (name) return models.find((m) => m.name === name);
  return models[0];
}

/** The static resolve pass and the evaluator can both see an unknown name: report it once. */
function dedupe(ds: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return ds.filter((d) => {
    const key = `${d.code}@${d.span.file}:${d.span.start.offset}:${d.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
