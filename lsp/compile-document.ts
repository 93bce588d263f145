// Compiling one editor document: each of its models, with open documents overlaying the file
// system. The result is plain data (it crosses a worker boundary).
import { compile } from '../compiler/compile.js';
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
export type NodeView = Pick<IrNode, 'id' | 'name' | 'op' | 'shape' | 'span' | 'callStack'>;
export type LayerView = Pick<LayerReport, 'name' | 'params' | 'buffers' | 'macs'>;

export interface CompiledModel {
  readonly name: string;
  readonly nodes?: readonly NodeView[];
  readonly report?: Omit<ModelReport, 'layers'> & { readonly layers: readonly LayerView[] };
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

export function compileDocument(job: CompileJob): CompileOutcome {
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
  const models: CompiledModel[] = [];
  if (names.length === 0) {
    // A file of blocks (or one that does not parse): its syntax and name errors, but no
    // "this file defines no model", which is what a library file is.
    add(compile(job.path, host, { text }).diagnostics.filter((d) => d.code !== 'E0208'));
  }
  for (const name of names) {
    const result = compile(job.path, host, { text, model: name });
    add(result.diagnostics);
    models.push({ name, nodes: result.graph && viewNodes(result.graph), report: result.report && { ...result.report, layers: result.report.layers.map(({ name, params, buffers, macs }) => ({ name, params, buffers, macs })) } });
  }
  return { id: job.id, diagnostics, models };
}

const viewNodes = (graph: IrGraph): NodeView[] => graph.nodes.map(({ id, name, op, shape, span, callStack }) => ({ id, name, op, shape, span, callStack }));
