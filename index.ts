// archc's public API (`import ... from 'archc'`): compile a model from a file or from text, read its
// report and diagnostics, lower it to ONNX. It loads no engine: the TensorFlow.js runtime is
// `archc/runtime`, the browser build `archc/browser`. ES module only (docs/api.md).
import { compile, type CompileOptions, type CompileResult } from './compiler/compile.js';
import { nodeHost } from './compiler/node-host.js';

export { compile, type CompileOptions, type CompileResult } from './compiler/compile.js';
export type { CompileHost } from './compiler/loader.js';
export type { Diagnostic, DiagnosticCode, Severity, RelatedSpan } from './compiler/diagnostics.js';
export { catalogue, hasErrors } from './compiler/diagnostics.js';
export type { ModelReport, LayerReport, SourceRef } from './compiler/report.js';
export type { IrGraph, IrNode, Shape } from './compiler/ir.js';
export type { Span, Position } from './dsl/source.js';
export { renderDiagnostic } from './compiler/render.js';
export { nodeHost, zooModels } from './compiler/node-host.js';
export { memoryHost } from './compiler/memory-host.js';
export { parse } from './dsl/parser.js';
export { format, formatText } from './dsl/format.js';
export { SourceFile } from './dsl/source.js';
export { lowerToOnnx } from './compiler/lower-onnx/lower.js';
export { encodeOnnx } from './compiler/lower-onnx/encode.js';
export { initWeights } from './compiler/weights/init.js';
export { readSafetensors, writeSafetensors } from './compiler/weights/safetensors.js';

/**
 * Compiles `.arch` source text. `use "std/..."` imports resolve to archc's block library and
 * relative imports to `path`'s folder (default: the current folder); diagnostics name `path`.
 */
export function compileText(text: string, options: CompileOptions & { readonly path?: string } = {}): CompileResult {
  const { path = 'model.arch', ...rest } = options;
  return compile(path, nodeHost, { ...rest, text });
}
