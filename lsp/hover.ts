// Hover: a tensor's shape (per evaluation of its block when they differ), a call's output shape,
// parameters and MACs with the op's or block's documentation, and a model's totals.
import type { Hover } from 'vscode-languageserver';
import type { Shape } from '../compiler/ir.js';
import type { ModelReport } from '../compiler/report.js';
import type { LayerView, NodeView as IrNode } from './compile-document.js';
import type * as A from '../dsl/ast.js';
import type { Span } from '../dsl/source.js';
import { opSignature, signatureOf, type Signature } from './catalog.js';
import { lookupOp } from '../compiler/ops/registry.js';
import type { Target } from './lookup.js';
import { toRange } from './spans.js';
import { defaultSizes, describeShapes, resultShapes, symbolic } from './shapes.js';
import { bindingOf, resultSpans, type SyntaxIndex } from './syntax.js';
import type { Compiled } from './compiled.js';

const n = (x: number): string => x.toLocaleString('en-US');
const code = (s: string): string => `\`\`\`archc\n${s}\n\`\`\``;
const shapeText = (s: readonly (number | string)[]): string => `[${s.join(', ')}]`;

export function hover(target: Target, syntax: SyntaxIndex, compiled: Compiled | undefined): Hover | undefined {
  const range = target.occurrence ? toRange(target.occurrence.span) : target.kind === 'decl' ? toRange(target.decl.nameSpan) : undefined;
  const value = content(target, syntax, compiled);
  return value ? { contents: { kind: 'markdown', value }, range } : undefined;
}

function content(target: Target, syntax: SyntaxIndex, compiled: Compiled | undefined): string | undefined {
  switch (target.kind) {
    case 'local':
      return localHover(target.binding.name, target.binding, syntax, compiled);
    case 'decl': {
      if (target.decl.kind === 'model') return modelHover(target.decl, compiled);
      const sig = signatureOf(target.decl.name, target.module)!;
      return callHover(sig, target.occurrence?.callSpan, compiled);
    }
    case 'op':
      return callHover(opSignature(target.name, lookupOp(target.name)!), target.occurrence.callSpan, compiled);
    case 'builtin': {
      const sig = signatureOf(target.name, undefined)!;
      return [code(sig.label), sig.doc].filter(Boolean).join('\n\n');
    }
  }
}

/** The shapes a binding takes, following `y = x` aliases a few steps. */
export function bindingShapes(binding: { stmt?: A.Stmt; name: string }, syntax: SyntaxIndex, compiled: Compiled | undefined, depth = 0): { shape: Shape; where: string; node: IrNode }[] {
  const stmt = binding.stmt;
  if (!compiled || !stmt || depth > 8) return [];
  let spans: Span[] = [];
  let alias: A.NameRef | undefined;
  if (stmt.kind === 'input') spans = [stmt.span];
  else if (stmt.kind === 'assign' && stmt.targets.length === 1) ({ spans, alias } = resultSpans(stmt.value));
  else if (stmt.kind === 'output' && stmt.value) ({ spans, alias } = resultSpans(stmt.value));
  else if (stmt.kind === 'output') alias = { kind: 'name', name: stmt.name, span: stmt.nameSpan };
  const shapes = compiled.models.flatMap((m) => (m.shapes ? resultShapes(m.shapes, spans) : []));
  if (alias) {
    const occ = syntax.occurrences.find((o) => o.span.start.offset === alias!.span.start.offset && o.name === alias!.name);
    const target = occ && bindingOf(syntax, occ);
    if (target && target !== occ) shapes.push(...bindingShapes(target, syntax, compiled, depth + 1));
  }
  return shapes;
}

function localHover(name: string, binding: { stmt?: A.Stmt; name: string }, syntax: SyntaxIndex, compiled: Compiled | undefined): string {
  const stmt = binding.stmt;
  if (!stmt) return code(`${name}: block parameter`);
  if (stmt.kind === 'for') return code(`${name}: loop variable`);
  const concrete = bindingShapes(binding, syntax, compiled);
  const shapes = symbolic(concrete);
  const described = describeShapes(shapes);
  if (!described) return code(`${name}: tensor`) + (compiled ? '' : '\n\n(not compiled yet)');
  const lines = [code(`${name}: ${described}`), [atDefaults(concrete, compiled!), 'per sample; the batch dimension N is implicit'].filter(Boolean).join(' · ')];
  const where = shapes.filter((s) => s.where);
  if (new Set(shapes.map((s) => shapeText(s.shape))).size > 1 && where.length) {
    lines.push(where.slice(0, 8).map((s) => `- \`${s.where}\`: ${shapeText(s.shape)}`).join('\n') + (where.length > 8 ? `\n- … ${where.length - 8} more` : ''));
  }
  return lines.join('\n\n');
}

/** `[64, 112, 112] at H = 224, W = 224` when the shapes are symbolic, else nothing. */
function atDefaults(shapes: readonly { shape: Shape; where: string; node: IrNode }[], compiled: Compiled): string {
  const sizes = defaultSizes(compiled.outcome.models);
  if (!sizes || !shapes.some((s) => s.node.symbolic?.some((d) => typeof d === 'string'))) return '';
  return `${describeShapes(shapes)} at ${sizes}`;
}

function callHover(sig: Signature, callSpan: Span | undefined, compiled: Compiled | undefined): string {
  const lines = [code(sig.label)];
  if (callSpan && compiled) {
    for (const model of compiled.models) {
      const instances = model.shapes?.instances(callSpan) ?? [];
      if (instances.length === 0) continue;
      const results = instances.map((i) => ({ shape: i.nodes.at(-1)!.shape, where: i.where, node: i.nodes.at(-1)! }));
      const out = describeShapes(symbolic(results));
      const first = instances[0]!;
      const layers = first.nodes.map((node) => model.layers.get(node.name)).filter((l): l is LayerView => l !== undefined);
      const params = layers.reduce((a, l) => a + l.params, 0);
      const buffers = layers.reduce((a, l) => a + l.buffers, 0);
      const macs = layers.reduce((a, l) => a + l.macs, 0);
      const who = sig.kind === 'op' ? `\`${first.nodes.at(-1)!.name}\`` : first.where ? `in \`${first.where}\`` : '';
      const each = instances.length > 1 ? ` (first of ${instances.length} evaluations${who ? `: ${who}` : ''})` : who ? ` (${who})` : '';
      const concrete = atDefaults(results, compiled);
      lines.push(`→ **${out}**${concrete ? ` (${concrete})` : ''}${compiled.models.length > 1 ? ` in model \`${model.name}\`` : ''}`);
      lines.push(`params ${n(params)}${buffers ? ` · buffers ${n(buffers)}` : ''} · MACs ${n(macs)}${each}`);
      break;
    }
  }
  if (sig.doc) lines.push(sig.doc);
  const documented = sig.params.filter((p) => p.doc && !p.tensor && p.name !== 'name');
  if (documented.length) lines.push(documented.map((p) => `- \`${p.label}\`: ${p.doc}${p.oneOf ? ` (${p.oneOf.map((v) => `"${v}"`).join(', ')})` : ''}`).join('\n'));
  return lines.join('\n\n');
}

export function totals(report: Omit<ModelReport, 'layers'>): string[] {
  return [
    `inputs: ${report.inputs.map((i) => `${i.name} [${i.shape.join(', ')}]`).join(', ')}`,
    `outputs: ${report.outputs.map((o) => `${o.name} [${o.shape.join(', ')}]`).join(', ')}`,
    `params ${n(report.params.learnable)} (trainable ${n(report.params.trainable)}, frozen ${n(report.params.frozen)}) · buffers ${n(report.params.buffers)}`,
    `MACs ${n(report.macs)} · FLOPs ${n(report.flops)}`,
    `weights ${(report.memory.weights / 2 ** 20).toFixed(1)} MiB · activations ${(report.memory.activations / 2 ** 20).toFixed(1)} MiB per sample`,
  ];
}

function modelHover(decl: A.ModelDecl, compiled: Compiled | undefined): string {
  const report = compiled?.outcome.models.find((m) => m.name === decl.name)?.report;
  const head = code(`model ${decl.name}`);
  if (!report) return `${head}\n\n${compiled ? 'the model has errors: no totals' : '(not compiled yet)'}`;
  const sizes = compiled?.outcome.models.find((m) => m.name === decl.name)?.sizes;
  const counted = sizes ? [`counted at ${sizes.variables.map((v) => `${v.name} = ${v.value}`).join(', ')}; ${sizes.validity}`] : [];
  return [head, [...totals(report), ...counted].map((l) => `- ${l}`).join('\n')].join('\n\n');
}
