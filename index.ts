// archc's public API: compile a model, read its report and diagnostics.
export { compile, type CompileOptions, type CompileResult } from './compiler/compile.js';
export type { CompileHost } from './compiler/loader.js';
export type { Diagnostic, DiagnosticCode, Severity, RelatedSpan } from './compiler/diagnostics.js';
export { catalogue } from './compiler/diagnostics.js';
export type { ModelReport, LayerReport, SourceRef } from './compiler/report.js';
export type { IrGraph, IrNode, Shape } from './compiler/ir.js';
export type { Span, Position } from './dsl/source.js';
export { renderDiagnostic } from './compiler/render.js';
export { nodeHost, zooModels } from './compiler/node-host.js';
export { parse } from './dsl/parser.js';
export { SourceFile } from './dsl/source.js';
