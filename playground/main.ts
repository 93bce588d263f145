// The playground page: a CodeMirror editor whose language services run in a web worker
// (playground/worker.ts), the zoo to browse, the summary table and totals, the model graph (elkjs;
// click a block to open it), shareable links (the source in the URL fragment) and a run pane that
// predicts on an uploaded image with the TensorFlow.js runtime (webgpu when the browser offers it,
// else wasm).
import { autocompletion, type CompletionContext, type CompletionResult } from '@codemirror/autocomplete';
import { StreamLanguage } from '@codemirror/language';
import { linter, lintGutter, type Diagnostic as CmDiagnostic } from '@codemirror/lint';
import { hoverTooltip, type EditorView as View } from '@codemirror/view';
import { basicSetup, EditorView } from 'codemirror';
import type { CollapsedGraph, NestedRow } from '../compiler/nesting.js';
import { toSvg } from '../tools/graph/svg.js';
import { archcLanguage } from './highlight.js';
import { runPane } from './run.js';
import type { Request, UpdateResult } from './worker.js';

interface Zoo {
  readonly models: Record<string, { path: string; text: string }>;
  readonly std: Record<string, string>;
}

const $ = <E extends HTMLElement>(id: string): E => document.getElementById(id) as E;

const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
let nextId = 1;
const waiting = new Map<number, (v: unknown) => void>();
worker.onmessage = (e: MessageEvent<{ id: number; result?: unknown; error?: string }>) => {
  const done = waiting.get(e.data.id);
  waiting.delete(e.data.id);
  if (e.data.error) console.error(`playground worker: ${e.data.error}`);
  done?.(e.data.result);
};
type Body<R> = R extends unknown ? Omit<R, 'id'> : never;
const ask = <T>(req: Body<Request>): Promise<T> =>
  new Promise((resolve) => {
    const id = nextId++;
    waiting.set(id, resolve as (v: unknown) => void);
    worker.postMessage({ ...req, id });
  });

const state = { depth: 1, expanded: new Set<string>(), latest: undefined as UpdateResult | undefined };

const toBase64Url = (s: string): string => btoa(String.fromCharCode(...new TextEncoder().encode(s))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
const fromBase64Url = (s: string): string => new TextDecoder().decode(Uint8Array.from(atob(s.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0)));

function renderSummary(result: UpdateResult): void {
  $('totals').textContent = result.totals?.join('\n') ?? (result.diagnostics.some((d) => d.severity === 'error') ? 'The model has errors: see the editor.' : '');
  const rows = result.rows ?? [];
  const n = (x: number) => x.toLocaleString('en-US');
  $('summary').innerHTML =
    '<tr><th>Layer</th><th>Op</th><th>Output shape</th><th>Trainable</th><th>Params</th><th>MACs</th></tr>' +
    rows
      .map((r: NestedRow) => {
        const label = r.depth > 1 ? r.name.slice(r.name.lastIndexOf('.') + 1) : r.name;
        const cells = [`<td style="padding-left:${(r.depth - 1) * 1.2 + 0.3}em">${escapeHtml(label)}</td>`, `<td>${r.op === 'block' ? `block (${r.layers})` : r.op}</td>`, `<td>[${r.outputShape.join(', ')}]</td>`, `<td>${r.trainable}</td>`, `<td class="num">${n(r.params + r.buffers)}</td>`, `<td class="num">${r.macs ? n(r.macs) : ''}</td>`];
        return `<tr>${cells.join('')}</tr>`;
      })
      .join('');
  if (result.graph) void toSvg(result.graph).then(setGraph);
}

const escapeHtml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function setGraph(svg: string): void {
  const box = $('graph');
  box.innerHTML = svg;
  for (const node of box.querySelectorAll<SVGGElement>('g.node')) {
    const name = node.dataset['name']!;
    if (node.querySelector('text:last-of-type')?.textContent?.includes('layers')) {
      node.style.cursor = 'pointer';
      node.addEventListener('click', () => {
        state.expanded.add(name);
        void ask<CollapsedGraph | undefined>({ kind: 'graph', depth: state.depth, expanded: [...state.expanded] }).then(async (g) => g && setGraph(await toSvg(g)));
      });
    }
  }
}

async function update(view: View): Promise<CmDiagnostic[]> {
  const text = view.state.doc.toString();
  const result = await ask<UpdateResult>({ kind: 'update', text, depth: state.depth, expanded: [...state.expanded] });
  state.latest = result;
  renderSummary(result);
  $('status').textContent = `${result.diagnostics.filter((d) => d.severity === 'error').length} errors, ${result.diagnostics.filter((d) => d.severity === 'warning').length} warnings`;
  document.body.dataset['compiled'] = String(Number(document.body.dataset['compiled'] ?? 0) + 1);
  return result.diagnostics.map((d) => ({ from: d.from, to: d.to, severity: d.severity, message: d.message }));
}

const hover = hoverTooltip(async (_view, pos) => {
  const text = await ask<string | undefined>({ kind: 'hover', offset: pos });
  if (!text) return null;
  return {
    pos,
    create: () => {
      const dom = document.createElement('div');
      dom.className = 'archc-hover';
      dom.textContent = text.replace(/```archc\n|```/g, '').replace(/\n{2,}/g, '\n').trim();
      return { dom };
    },
  };
});

async function completions(context: CompletionContext): Promise<CompletionResult | null> {
  const word = context.matchBefore(/[A-Za-z_][A-Za-z0-9_]*|"[A-Za-z_/]*/);
  if (!word && !context.explicit) return null;
  const items = await ask<{ label: string; detail?: string; kind?: number }[]>({ kind: 'complete', offset: context.pos });
  const from = word ? word.from + (word.text.startsWith('"') ? 1 : 0) : context.pos;
  return { from, options: items.map((i) => ({ label: i.label, detail: i.detail, type: i.kind === 3 ? 'function' : i.kind === 6 ? 'variable' : i.kind === 14 ? 'keyword' : 'text' })) };
}

async function main(): Promise<void> {
  const zoo = (await (await fetch(new URL('./zoo.json', import.meta.url))).json()) as Zoo;
  await ask({ kind: 'init', std: zoo.std });
  const select = $<HTMLSelectElement>('model');
  for (const name of Object.keys(zoo.models).sort()) select.add(new Option(name, name));
  const hash = new URLSearchParams(location.hash.slice(1));
  const initialModel = hash.get('model') && zoo.models[hash.get('model')!] ? hash.get('model')! : 'resnet50';
  const initial = hash.get('code') ? fromBase64Url(hash.get('code')!) : zoo.models[initialModel]!.text;
  select.value = hash.get('code') ? '' : initialModel;

  const view = new EditorView({
    doc: initial,
    parent: $('editor'),
    extensions: [basicSetup, archcLanguage(StreamLanguage), lintGutter(), linter(update, { delay: 200 }), hover, autocompletion({ override: [completions] })],
  });
  (window as unknown as { playground: unknown }).playground = { view };

  select.addEventListener('change', () => {
    const m = zoo.models[select.value];
    if (!m) return;
    state.expanded.clear();
    view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: m.text } });
    history.replaceState(null, '', `#model=${select.value}`);
  });
  $<HTMLSelectElement>('depth').addEventListener('change', (e) => {
    state.depth = Number((e.target as HTMLSelectElement).value);
    state.expanded.clear();
    void update(view);
  });
  $('share').addEventListener('click', () => {
    history.replaceState(null, '', `#code=${toBase64Url(view.state.doc.toString())}`);
    void navigator.clipboard?.writeText(location.href).catch(() => undefined);
    $('status').textContent = 'link with the source in the URL fragment: copied';
  });
  runPane(() => view.state.doc.toString(), zoo.std);
  document.body.dataset['ready'] = '1';
}

void main();
