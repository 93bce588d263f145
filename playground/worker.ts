// The playground's language services, in a web worker so that typing never waits for them: the
// same compile as the CLI on in-memory files (the document and the bundled std library), the
// language server's hover and completion (lsp/), the summary rows and the folded graph (laid out by
// elkjs on the page: elk's own worker shim would take over this worker's messages).
import { compile } from '../compiler/compile.js';
import type { Diagnostic } from '../compiler/diagnostics.js';
import type { IrGraph } from '../compiler/ir.js';
import { load } from '../compiler/loader.js';
import { memoryHost } from '../compiler/memory-host.js';
import { collapseGraph, nestLayers, type CollapsedGraph, type NestedRow } from '../compiler/nesting.js';
import type { ModelReport } from '../compiler/report.js';
import { complete } from '../lsp/completion.js';
import { hover } from '../lsp/hover.js';
import { targetAt } from '../lsp/lookup.js';
import { indexSyntax } from '../lsp/syntax.js';
import { compiledView, modelView, type Compiled } from '../lsp/compiled.js';
import { totals } from '../lsp/hover.js';

export const DOC = '/playground/model.arch';

export type Request =
  | { id: number; kind: 'init'; std: Record<string, string> }
  | { id: number; kind: 'update'; text: string; model?: string; depth: number; expanded: string[] }
  | { id: number; kind: 'graph'; depth: number; expanded: string[] }
  | { id: number; kind: 'hover'; offset: number }
  | { id: number; kind: 'complete'; offset: number };

export interface LintItem {
  readonly from: number;
  readonly to: number;
  readonly severity: 'error' | 'warning';
  readonly message: string;
}

export interface UpdateResult {
  readonly diagnostics: LintItem[];
  readonly models: string[];
  readonly model?: string;
  readonly totals?: string[];
  readonly rows?: NestedRow[];
  readonly graph?: CollapsedGraph;
}

let std: Record<string, string> = {};
let state: { text: string; compiled?: Compiled; graph?: IrGraph; report?: ModelReport } = { text: '' };

function lint(d: Diagnostic, text: string): LintItem {
  let span = d.span;
  let prefix = '';
  if (span.file !== DOC) {
    // Inside a std block: shown at this file's call that led there.
    span = d.related.find((r) => r.span.file === DOC)?.span ?? { ...span, start: { line: 1, col: 1, offset: 0 }, end: { line: 1, col: 1, offset: 0 } };
    prefix = `in ${d.span.file}:${d.span.start.line}:${d.span.start.col}: `;
  }
  const from = Math.min(span.start.offset, text.length);
  const to = Math.min(Math.max(span.end.offset, from), text.length);
  const lines = [`${d.code}: ${prefix}${d.message}`, ...d.notes.map((n) => `note: ${n}`), ...(d.hint ? [`help: ${d.hint}`] : [])];
  return { from, to, severity: d.severity, message: lines.join('\n') };
}

function update(text: string, model: string | undefined, depth: number, expanded: string[]): UpdateResult {
  const host = memoryHost({ ...std, [DOC]: text });
  const loaded = load(DOC, host, text);
  const models = loaded.fatal ? [] : (loaded.root?.ast.decls ?? []).filter((d) => d.kind === 'model').map((d) => d.name);
  const chosen = model && models.includes(model) ? model : models[0];
  const result = compile(DOC, host, { text, model: chosen });
  const diagnostics = result.diagnostics.filter((d) => !(models.length === 0 && d.code === 'E0208')).map((d) => lint(d, text));
  // The language server's view of the compile: hovers show the same (symbolic) shapes as in an editor.
  const compiled = compiledView(text, { id: 0, diagnostics: result.diagnostics, models: chosen ? [modelView(chosen, result)] : [] });
  state = { text, graph: result.graph, report: result.report, compiled };
  if (!result.report || !result.graph) return { diagnostics, models, model: chosen };
  return { diagnostics, models, model: chosen, totals: totals(result.report), rows: nestLayers(result.report.layers, depth), graph: folded(depth, expanded) };
}

function folded(depth: number, expanded: string[]): CollapsedGraph | undefined {
  if (!state.graph || !state.report) return undefined;
  return collapseGraph(state.graph, state.report.layers, depth, new Set(expanded));
}

function hoverAt(offset: number): string | undefined {
  const host = memoryHost({ ...std, [DOC]: state.text });
  const root = load(DOC, host, state.text).modules.get(DOC);
  if (!root) return undefined;
  const syntax = indexSyntax(root.ast);
  const target = targetAt(root, syntax, offset);
  if (!target) return undefined;
  const h = hover(target, syntax, state.compiled);
  return h && typeof h.contents === 'object' && 'value' in h.contents ? h.contents.value : undefined;
}

function completeAt(offset: number) {
  const host = memoryHost({ ...std, [DOC]: state.text });
  const root = load(DOC, host, state.text).modules.get(DOC);
  const stdPaths = Object.keys(std).map((p) => ({ label: p.replace(/\.arch$/, ''), kind: 9 as const }));
  return complete(state.text, offset, root, root && indexSyntax(root.ast), () => stdPaths).map((i) => ({ label: i.label, detail: i.detail, kind: i.kind }));
}

async function handle(req: Request): Promise<unknown> {
  switch (req.kind) {
    case 'init':
      std = req.std;
      return true;
    case 'update':
      return update(req.text, req.model, req.depth, req.expanded);
    case 'graph':
      return folded(req.depth, req.expanded);
    case 'hover':
      return hoverAt(req.offset);
    case 'complete':
      return completeAt(req.offset);
  }
}

self.onmessage = (event: MessageEvent<Request>) => {
  const req = event.data;
  handle(req).then(
    (result) => self.postMessage({ id: req.id, result }),
    (e: unknown) => self.postMessage({ id: req.id, error: e instanceof Error ? e.message : String(e) }),
  );
};
