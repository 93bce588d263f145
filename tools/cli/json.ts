// The JSON forms the CLI prints. Their schemas live in tools/cli/schema/ and are checked in the tests.
import type { Diagnostic } from '../../compiler/diagnostics.js';
import type { ModelReport } from '../../compiler/report.js';
import type { Span } from '../../dsl/source.js';
import { displayPath } from '../../compiler/node-host.js';

const loc = (s: Span) => ({ file: displayPath(s.file), line: s.start.line, col: s.start.col, endLine: s.end.line, endCol: s.end.col });

export function diagnosticsJson(ds: readonly Diagnostic[]) {
  return ds.map((d) => ({
    code: d.code,
    severity: d.severity,
    message: d.message,
    span: loc(d.span),
    related: d.related.map((r) => ({ message: r.message, span: loc(r.span) })),
    notes: d.notes,
    ...(d.hint ? { hint: d.hint } : {}),
  }));
}

/** `archc summary --json` (tools/cli/schema/summary.schema.json): the report with display paths. */
export function reportJson(r: ModelReport): ModelReport {
  return { ...r, file: displayPath(r.file), layers: r.layers.map((l) => ({ ...l, source: { ...l.source, file: displayPath(l.source.file) } })) };
}
