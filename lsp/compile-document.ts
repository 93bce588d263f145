// Compiling one editor document: each of its models, with open documents overlaying the file
// system. The result is plain data (it crosses a worker boundary).
import { compile, type CompileResult } from '../compiler/compile.js';
import type { SizeAnalysis } from '../compiler/symbolic/index.js';
import type { Diagnostic } from '../compiler/diagnostics.js';
import type { IrGraph, IrNode } from '../compiler/ir.js';
import { load, type CompileHost } from '../compiler/loader.js';
import { nodeHost } from '../compiler/node-host.js';
import type { LayerReport, ModelReport } from '../compiler/report.js';

export interface CompileJob {
  readonly id: number;
  readonly path: string;
  /** Texts of the open documents by path, the compiled one included. */
  readonly overlays: Readonly<Record<string, string>>;
}

/** What the editor features read of an IR node (the rest stays in the worker: less to copy). */
export type NodeView = Pick<IrNode, 'id' | 'name' | 'op' | 'shape' | 'span' | 'callStack'> & {
  /** With size variables: the shape in terms of them (`[64, 'H/2', 'W/2']`); `shape` is at the defaults. */
  symbolic?: readonly (number | string)[];
};
export type LayerView = Pick<LayerReport, 'name' | 'params' | 'buffers' | 'macs'>;

export interface CompiledModel {
  readonly name: string;
  readonly nodes?: readonly NodeView[];
  readonly report?: Omit<ModelReport, 'layers'> & { readonly layers: readonly LayerView[] };
  /** The model's size variables at their defaults and the sizes it takes ("valid for H, W ≥ 32"). */
  readonly sizes?: { readonly variables: readonly { readonly name: string; readonly value: number }[]; readonly validity: string };
}

export interface CompileOutcome {
  readonly id: number;
  readonly diagnostics: readonly Diagnostic[];
  readonly models: readonly CompiledModel[];
}

export function overlayHost(overlays: Readonly<Record<string, string>>): CompileHost {
  return {
    read: (path) => (Object.hasOwn(overlays, path) ? { text: overlays[path]! } : nodeHost.read(path)),
    resolve: nodeHost.resolve,
  };
}

/**
 * Compiles every model of the document. `onDiagnostics` hears the diagnostics as soon as the
 * plain compiles are done; the symbolic shapes (the size analysis, which the compiler runs only
 * when asked and which costs about a third of a compile) are added after, for hover and inlay hints.
 */
export function compileDocument(job: CompileJob, onDiagnostics?: (diagnostics: readonly Diagnostic[]) => void): CompileOutcome {
  const host = overlayHost(job.overlays);
  const text = job.overlays[job.path] ?? '';
  const loaded = load(job.path, host, text);
  const names = loaded.fatal ? [] : (loaded.root?.ast.decls ?? []).filter((d) => d.kind === 'model').map((d) => d.name);
  const diagnostics: Diagnostic[] = [];
  const seen = new Set<string>();
  const add = (ds: readonly Diagnostic[]) => {
    for (const d of ds) {
      const key = `${d.code}@${d.span.file}:${d.span.start.offset}:${d.message}`;
      if (!seen.has(key)) seen.add(key), diagnostics.push(d);
    }
  };
  if (names.length === 0) {
    // A file of blocks (or one that does not parse): its syntax and name errors, but no
    // "this file defines no model", which is what a library file is.
    add(compile(job.path, host, { text }).diagnostics.filter((d) => d.code !== 'E0208'));
  }
  const results = names.map((name) => compile(job.path, host, { text, model: name }));
  for (const result of results) add(result.diagnostics);
  onDiagnostics?.(diagnostics);
  const models = names.map((name, m): CompiledModel => {
    const { graph, report } = results[m]!;
    const sizes = sizeAnalysis(results[m]!);
    const nodes = graph && viewNodes(graph);
    if (nodes && sizes) for (const node of nodes) node.symbolic = sizes.shapes[node.id];
    return {
      name,
      nodes,
      report: report && { ...report, layers: report.layers.map(({ name, params, buffers, macs }) => ({ name, params, buffers, macs })) },
      sizes: sizes && { variables: sizes.variables, validity: sizes.validity },
    };
  });
  return { id: job.id, diagnostics, models };
}

/** The size analysis (run on first access of `sizes`); a bug in it costs the symbolic shapes, not the outcome. */
function sizeAnalysis(result: CompileResult): SizeAnalysis | undefined {
  try {
    return result.sizes;
  } catch {
    return undefined;
  }
}

const viewNodes = (graph: IrGraph): NodeView[] => graph.nodes.map(({ id, name, op, shape, span, callStack }) => ({ id, name, op, shape, span, callStack }));
