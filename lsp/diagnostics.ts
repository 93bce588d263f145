// archc diagnostics as LSP diagnostics: the notes and the hint stay in the message (editors show
// it whole), related places (the other operand, the block call chain) become relatedInformation,
// and the code links to its entry in docs/diagnostics.md. A diagnostic located in another file
// (inside an imported block) is shown at this file's place that leads there.
import { pathToFileURL } from 'node:url';
import { DiagnosticSeverity, type Diagnostic as LspDiagnostic, type DiagnosticRelatedInformation } from 'vscode-languageserver';
import type { Diagnostic } from '../compiler/diagnostics.js';
import { packageRoot } from '../compiler/node-host.js';
import type { ArchFile } from '../dsl/ast.js';
import type { Span } from '../dsl/source.js';
import { pathToUri } from './positions.js';
import { toRange } from './spans.js';
import { join } from 'node:path';

const docsUrl = pathToFileURL(join(packageRoot, 'docs', 'diagnostics.md')).href;

/** What a code action needs later: the hint, and the span of the fix when it is elsewhere. */
export interface DiagnosticData {
  readonly hint?: string;
}

export function toLspDiagnostic(
  d: Diagnostic,
  path: string,
  file: ArchFile | undefined,
  resolveImport: (spec: string) => string,
  uris: ReadonlyMap<string, string>,
): LspDiagnostic {
  const related: DiagnosticRelatedInformation[] = d.related.map((r) => ({
    location: { uri: pathToUri(r.span.file, uris), range: toRange(r.span) },
    message: r.message,
  }));
  let span: Span = d.span;
  let prefix = '';
  if (d.span.file !== path) {
    // Inside an imported file: point at the call in this file that led there, else the `use` line.
    const here = d.related.find((r) => r.span.file === path)?.span ?? file?.uses.find((u) => resolveImport(u.path) === d.span.file)?.span;
    span = here ?? { file: path, start: { line: 1, col: 1, offset: 0 }, end: { line: 1, col: 1, offset: 0 } };
    prefix = `in ${d.span.file}:${d.span.start.line}:${d.span.start.col}: `;
    related.unshift({ location: { uri: pathToUri(d.span.file, uris), range: toRange(d.span) }, message: 'the error is here' });
  }
  const lines = [prefix + d.message, ...d.notes.map((n) => `note: ${n}`)];
  if (d.hint) lines.push(`help: ${d.hint}`);
  const data: DiagnosticData = { hint: d.hint };
  return {
    range: toRange(span),
    severity: d.severity === 'error' ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning,
    code: d.code,
    codeDescription: { href: `${docsUrl}#${d.code.toLowerCase()}` },
    source: 'archc',
    message: lines.join('\n'),
    relatedInformation: related.length ? related : undefined,
    data,
  };
}
