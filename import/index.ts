// archc import: an ONNX file → readable .arch text plus its weights under archc's names.
//   read (onnx-read) → lift ONNX nodes to archc ops (lift, rules/) → find repeated subgraphs
//   (blocks) → write the text (emit) → compile it with archc → map every weight by node order →
//   add `expect` lines with the compiled counts → format.
// The result compiles by construction: it is compiled here, and any difference between what the
// importer meant and what the compiler built is an internal error, never a silently wrong file.
import type { Shape } from '../compiler/ir.js';
import { compile } from '../compiler/compile.js';
import { memoryHost } from '../compiler/memory-host.js';
import { renderDiagnostic } from '../compiler/render.js';
import type { WeightTensor } from '../compiler/weights/tensor.js';
import { declaredWeights } from '../compiler/weights/tensor.js';
import { formatText } from '../dsl/format.js';
import { planBlocks } from './blocks.js';
import { grouped, identifier, modelText, opUnit, shapeText, sizeText, weightPath, type ModelText } from './emit.js';
import { LiftError, type LiftedGraph } from './graph.js';
import { lift } from './lift.js';
import { nameAnonymousWeights } from './node-paths.js';
import { readOnnx, type ExternalReader, type OnnxModel } from './onnx-read.js';
import { supportsOp } from './rules/index.js';
import type { Library } from './library.js';
import { withLibraryCalls } from './std-calls.js';

export interface ImportOptions {
  /** The source file's name, for the header comment. */
  readonly sourceName: string;
  /** The model's name in the .arch file (default: from the source name). */
  readonly modelName?: string;
  /** Per-sample shapes for inputs whose ONNX dims are symbolic (`image` → [3, 224, 224]). */
  readonly inputShapes?: Readonly<Record<string, readonly number[]>>;
  /** Write the supported prefix when some op is not supported. */
  readonly allowPartial?: boolean;
  /** Find repeated subgraphs and write them as blocks (default true). */
  readonly blocks?: boolean;
  /**
   * The standard block library (zoo/std's files as `std/NAME.arch` → text): a block that computes
   * what a std block does is written as a call of it, with a `use` line (import/std-calls.ts).
   */
  readonly library?: Library;
  readonly readExternal?: ExternalReader;
  /** The caller hands the bytes over: weights may be realigned inside them instead of copied. */
  readonly reuseBuffer?: boolean;
}

export interface ImportProblem {
  readonly message: string;
  /** Unsupported op types: each with its count and the first node's name. */
  readonly unsupported?: readonly { readonly op: string; readonly count: number; readonly first: string }[];
}

export type ImportResult =
  | { readonly ok: true; readonly text: string; readonly weights: Map<string, WeightTensor>; readonly params: number; readonly partial?: string }
  | { readonly ok: false; readonly problems: readonly ImportProblem[]; readonly badFile?: boolean };

export function importOnnx(bytes: Uint8Array, options: ImportOptions): ImportResult {
  const read = readOnnx(bytes, options.readExternal, options.reuseBuffer === true);
  if (!read.ok) return { ok: false, problems: [{ message: read.error }], badFile: true };
  const model = read.model;
  const unsupported = unsupportedOps(model);
  if (unsupported.length > 0 && !options.allowPartial) {
    return { ok: false, problems: unsupported.map((u) => ({ message: `ONNX op ${u.op} is not supported by archc: ${u.count} node${u.count === 1 ? '' : 's'}, the first '${u.first}'`, unsupported: [u] })) };
  }
  const shapes = inputShapes(model, options.inputShapes ?? {});
  if ('error' in shapes) return { ok: false, problems: [{ message: shapes.error }] };
  let lifted: ReturnType<typeof lift>;
  try {
    lifted = lift(model, shapes.shapes, options.allowPartial === true);
    lifted = { ...lifted, graph: nameAnonymousWeights(lifted.graph) };
  } catch (e) {
    if (e instanceof LiftError) return { ok: false, problems: [{ message: e.message }] };
    throw e;
  }
  if (lifted.graph.nodes.length === lifted.graph.outputs.length && lifted.stoppedAt) {
    return { ok: false, problems: [{ message: `nothing to import: the first node already cannot be imported (${lifted.stoppedAt.reason})` }] };
  }
  const partial = lifted.stoppedAt && `the import stops at node '${lifted.stoppedAt.node.name || lifted.stoppedAt.node.op}' (${lifted.stoppedAt.node.op}): ${lifted.stoppedAt.reason}`;
  const base = textParts(model, lifted.graph, options, partial, shapes.variables);
  const first = compileText(modelText(base), lifted.graph);
  if (!first.ok) return first;
  const expects = [`params == ${grouped(first.params)}`];
  const shapeLines: string[] = [];
  for (const o of base.graph.outputs) {
    const name = base.outputNames.get(o.node)!;
    const shape = first.outputShapes.get(name);
    if (shape) shapeLines.push(`${name}.shape == [${shape.map(sizeText).join(', ')}]`);
  }
  // A shape that is a formula of the size variables is checked by compiling the file with it;
  // should the compiler disagree, the file goes without the shape lines rather than with a wrong one.
  let text = modelText({ ...base, expects: [...expects, ...shapeLines] });
  if (shapeLines.some((e) => /[^\w\s.=,[\]]/.test(e.slice(e.indexOf('==')))) && !compilesCleanly(text)) text = modelText({ ...base, expects });
  if (options.library && base.blocks.length > 0) text = withLibraryCalls(text, options.library);
  const formatted = formatText(text, `${base.name}.arch`);
  const final = formatted.text ?? text;
  return { ok: true, text: final, weights: first.weights, params: first.params, ...(partial ? { partial } : {}) };
}

/** Every op type without a rule, with counts, in order of first appearance. */
function unsupportedOps(model: OnnxModel): { op: string; count: number; first: string }[] {
  const found = new Map<string, { op: string; count: number; first: string }>();
  for (const n of model.nodes) {
    if (supportsOp(n.op, n.domain)) continue;
    const key = n.domain && n.domain !== 'ai.onnx' ? `${n.domain}.${n.op}` : n.op;
    const seen = found.get(key) ?? { op: key, count: 0, first: n.name || `#${model.nodes.indexOf(n)}` };
    found.set(key, { ...seen, count: seen.count + 1 });
  }
  return [...found.values()];
}

/**
 * Each input's per-sample shape to import at, and the size variables its symbolic dims become
 * (`[N, 3, height, width]` → `[3, height, width]`, at the size given with --input). The batch axis
 * is always N.
 */
function inputShapes(model: OnnxModel, given: Readonly<Record<string, readonly number[]>>): { shapes: Map<string, Shape>; variables: Map<string, (string | undefined)[]> } | { error: string } {
  const shapes = new Map<string, Shape>();
  const variables = new Map<string, (string | undefined)[]>();
  for (const input of model.inputs) {
    const override = given[input.name];
    const perSample = input.dims.slice(1);
    const symbolic = perSample.map((d, i) => (typeof d === 'number' && d > 0 ? undefined : sizeVariable(d, i, perSample.length)));
    if (override && override.length !== perSample.length && input.dims.length > 0) {
      return { error: `--input ${input.name} gives ${override.length} dims; the ONNX input has ${perSample.length} per sample ([${input.dims.map(String).join(', ')}])` };
    }
    if (override) shapes.set(input.name, [...override]);
    else if (symbolic.every((v) => v === undefined)) shapes.set(input.name, perSample as number[]);
    else {
      const dims = input.dims.map(String).join(', ');
      const example = perSample.map((d) => (typeof d === 'number' && d > 0 ? d : 224)).join('x');
      return { error: `input '${input.name}' has symbolic dims [${dims}]; give the size to import it at with --input ${input.name}=${example} (the file keeps them as size variables)` };
    }
    if (symbolic.some((v) => v !== undefined)) variables.set(input.name, symbolic);
  }
  return { shapes, variables };
}

/** A size variable's name: the ONNX dim's own (`height`), or by position for an unnamed one. */
function sizeVariable(dim: number | string, index: number, rank: number): string {
  if (typeof dim === 'string' && dim !== '?' && /^[A-Za-z][A-Za-z0-9_]*$/.test(dim)) return dim;
  const usual = rank === 3 ? ['C', 'H', 'W'] : rank === 2 ? ['T', 'D'] : rank === 4 ? ['C', 'D', 'H', 'W'] : [];
  return usual[index] ?? `S${index + 1}`;
}

function textParts(model: OnnxModel, graph: LiftedGraph, options: ImportOptions, partial: string | undefined, variables: ReadonlyMap<string, readonly (string | undefined)[]>): ModelText {
  const taken = new Set<string>([...variables.values()].flat().filter((v): v is string => v !== undefined));
  const named = (raw: string) => {
    const id = identifier(raw, taken);
    taken.add(id);
    return id;
  };
  const inputNames = new Map(graph.nodes.filter((n) => n.op === 'input').map((n) => [n.id, named(n.inputName!)]));
  const outputNames = new Map(graph.outputs.map((o) => [o.node, named(o.name)]));
  const header = [
    `Imported from ${options.sourceName} by archc import.`,
    `Producer: ${model.producer}; ONNX IR version ${model.irVersion}, opset ${model.opset}.`,
  ];
  const name = identifier(options.modelName ?? (options.sourceName.split(/[\\/]/).pop() ?? 'model').replace(/\.onnx$/i, ''));
  const plan = options.blocks === false ? undefined : planBlocks(graph, variables.size === 0);
  const units = plan?.units ?? graph.nodes.filter((n) => n.op !== 'input').map((n) => opUnit(n, weightPath(n)));
  const stopNote = partial ? [`${partial}.`, 'Everything before that node is imported; its outputs are this model\'s outputs.'] : undefined;
  const inputVariables = new Map(graph.nodes.filter((n) => n.op === 'input' && variables.has(n.inputName!)).map((n) => [n.id, variables.get(n.inputName!)!]));
  return { header, name, graph, inputNames, inputVariables, outputNames, units, blocks: plan?.blocks ?? [], expects: [], stopNote };
}

function compilesCleanly(text: string): boolean {
  const path = 'imported.arch';
  return compile(path, memoryHost({ [path]: text }), { noSuggestions: true }).diagnostics.length === 0;
}

type Compiled =
  | { ok: true; params: number; weights: Map<string, WeightTensor>; outputShapes: Map<string, (number | string)[] | undefined> }
  | { ok: false; problems: ImportProblem[] };

/**
 * Compiles the text and pairs the compiler's nodes with the lifted ones in order (the text is written
 * in the lifted graph's order, and the compiler creates nodes in evaluation order); the weights get
 * the compiler's names.
 */
function compileText(text: string, graph: LiftedGraph): Compiled {
  const path = 'imported.arch';
  const result = compile(path, memoryHost({ [path]: text }), { noSuggestions: true });
  const internal = (why: string): Compiled => ({ ok: false, problems: [{ message: `internal error in archc import: ${why}; please report it with the ONNX file` }] });
  if (!result.ok || !result.graph || !result.report) {
    const shown = result.diagnostics.slice(0, 3).map((d) => renderDiagnostic(d, result.sources)).join('\n');
    return internal(`the generated text does not compile:\n${shown}`);
  }
  const ir = result.graph.nodes.filter((n) => n.op !== 'input');
  const weights = new Map<string, WeightTensor>();
  const sources = graph.nodes.filter((n) => n.op !== 'input');
  if (sources.length !== ir.length) return internal(`the compiled model has ${ir.length} ops, the import made ${sources.length}`);
  const byNode = new Map(ir.map((n, i) => [n.id, sources[i]!]));
  for (const w of declaredWeights(result.graph)) {
    const source = byNode.get(w.node.id)!;
    if (source.op !== w.node.op) return internal(`op ${w.node.name} is ${w.node.op}, the import made ${source.op}`);
    const t = source.weights.get(w.spec.name);
    if (!t || t.shape.join() !== w.spec.shape.join()) return internal(`weight ${w.name} [${w.spec.shape.join(', ')}] has no matching ONNX tensor`);
    weights.set(w.name, { shape: [...t.shape], data: t.data as Float32Array });
  }
  // With size variables, an output's shape in terms of them ([4, height, (width + 1)//2]).
  const symbolic = (name: string, shape: readonly (number | string)[]): (number | string)[] | undefined => {
    const node = result.graph!.outputs.find((o) => o.name === name)?.node;
    const dims = node === undefined ? undefined : result.sizes?.shapes[node];
    if (!result.sizes) return shape.filter((d) => d !== 'N');
    return dims ? [...dims] : undefined;
  };
  const outputShapes = new Map(result.report.outputs.map((o) => [o.name, symbolic(o.name, o.shape)]));
  return { ok: true, params: result.report.params.learnable, weights, outputShapes };
}
