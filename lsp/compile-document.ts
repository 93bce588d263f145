// Compiling one editor document: each of its models, with open documents overlaying the file
// system. The result is plain data (it crosses a worker boundary).
import { compile } from '../compiler/compile.js';
import type { Diagnostic } from '../compiler/diagnostics.js';
import { load, type CompileHost } from '../compiler/loader.js';
import { nodeHost } from '../compiler/node-host.js';
import { modelView, type CompileOutcome } from './compiled.js';

export type { CompileOutcome, CompiledModel, LayerView, NodeView } from './compiled.js';

export interface CompileJob {
  readonly id: number;
  readonly path: string;
  /** Texts of the open documents by path, the compiled one included. */
  readonly overlays: Readonly<Record<string, string>>;
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
  const models = names.map((name, m) => modelView(name, results[m]!));
  return { id: job.id, diagnostics, models };
}
