// The JSON forms the CLI prints. Their schemas live in tools/cli/schema/ and are checked in the tests.
import type { Diagnostic } from '../../compiler/diagnostics.js';
import type { ModelReport } from '../../compiler/report.js';
import type { IrGraph } from '../../compiler/ir.js';
import type { SizeAnalysis } from '../../compiler/symbolic/index.js';
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

const source = (s: Span) => ({ file: displayPath(s.file), line: s.start.line, col: s.start.col });

/** The size-variable parts of `summary --json`: top-level `constraints` and `sizes`, per-layer `symbolicShape`. */
export function sizesJson(report: ModelReport, graph: IrGraph, sizes: SizeAnalysis) {
  const shape = (id: number) => ['N', ...sizes.shapes[id]!] as (string | number)[];
  const condition = (c: { text: string; because?: Span; why?: string }) => ({ text: c.text, ...(c.because ? { because: source(c.because) } : {}), ...(c.why ? { why: c.why } : {}) });
  return {
    layers: report.layers.map((l, id) => ({ ...l, symbolicShape: shape(id) })),
    constraints: sizes.conditions.map(condition),
    sizes: {
      variables: sizes.variables.map((v) => ({ name: v.name, default: v.value })),
      valid: sizes.validity,
      derived: sizes.derived.map(condition),
      inputs: graph.inputs.map((i) => ({ name: i.name, shape: shape(i.node) })),
      outputs: graph.outputs.map((o) => ({ name: o.name, shape: shape(o.node) })),
      ...(sizes.macs !== undefined ? { macs: sizes.macs } : {}),
      opaque: sizes.opaque.map((o) => ({ layer: o.node, reason: o.reason })),
    },
  };
}
