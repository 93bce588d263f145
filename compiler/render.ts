// Prints diagnostics like a compiler: `file:line:col: error E0401: message`, the source line with a
// caret under the span, the arithmetic as notes, related places, then the hint.
import type { SourceFile, Span } from '../dsl/source.js';
import type { Diagnostic } from './diagnostics.js';

export interface RenderOptions {
  /** Paths are printed relative to this directory when given. */
  readonly relativeTo?: (file: string) => string;
  readonly color?: boolean;
}

export function renderDiagnostic(d: Diagnostic, sources: ReadonlyMap<string, SourceFile>, options: RenderOptions = {}): string {
  const c = colors(options.color ?? false);
  const show = options.relativeTo ?? ((f: string) => f);
  // Line 0 means the whole file (it cannot be read, or defines no model): no position, no excerpt.
  const where = (s: Span) => (s.start.line === 0 ? show(s.file) : `${show(s.file)}:${s.start.line}:${s.start.col}`);
  const sev = d.severity === 'error' ? c.red('error') : c.yellow('warning');
  const message = d.span.start.line === 0 ? d.message.split(d.span.file).join(show(d.span.file)) : d.message;
  const lines = [`${c.bold(where(d.span))}: ${sev} ${d.code}: ${c.bold(message)}`];
  lines.push(...excerpt(d.span, sources));
  for (const n of d.notes) lines.push(`   = note: ${n}`);
  for (const r of d.related) {
    lines.push(`  ${where(r.span)}: note: ${r.message}`);
    lines.push(...excerpt(r.span, sources));
  }
  if (d.hint) lines.push(`   = ${c.cyan('help')}: ${d.hint}`);
  return lines.join('\n');
}

function excerpt(span: Span, sources: ReadonlyMap<string, SourceFile>): string[] {
  const source = sources.get(span.file);
  if (!source || span.start.line < 1) return [];
  const text = source.line(span.start.line);
  if (!text.trim()) return [];
  const gutter = String(span.start.line).padStart(4);
  const endCol = span.end.line === span.start.line ? span.end.col : text.length + 1;
  // Tabs print as 4 spaces and control characters as one mark, so the caret stays under its text.
  const before = shown(text.slice(0, span.start.col - 1));
  const under = shown(text.slice(span.start.col - 1, endCol - 1));
  return [`${gutter} | ${shown(text)}`, `${' '.repeat(gutter.length)} | ${' '.repeat(before.length)}${'^'.repeat(Math.max(1, under.length))}`];
}

const shown = (s: string): string => s.replace(/\t/g, '    ').replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '\ufffd');

function colors(on: boolean) {
  const wrap = (code: number) => (s: string) => (on ? `\u001b[${code}m${s}\u001b[0m` : s);
  return { red: wrap(31), yellow: wrap(33), cyan: wrap(36), bold: wrap(1) };
}

export function summarizeCounts(ds: readonly Diagnostic[]): string {
  const errors = ds.filter((d) => d.severity === 'error').length;
  const warnings = ds.length - errors;
  const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;
  return `${plural(errors, 'error')}, ${plural(warnings, 'warning')}`;
}
