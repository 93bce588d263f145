// Helpers for the per-op tables: run `x |> <call>` on an input shape and read back the outcome.
import { compileText, net } from '../helpers.js';
import type { CompileResult } from '../../compiler/compile.js';

/** Compiles `x |> call` on one input of `shape` (DSL text such as "[3, 8, 8]"). */
export const run = (shape: string, call: string): CompileResult => compileText(net(shape, `x |> ${call}`));

/** The output's per-sample shape, or the first error code: the left side of every op table. */
export function outcome(shape: string, call: string): number[] | string {
  const r = run(shape, call);
  const error = r.diagnostics.find((d) => d.severity === 'error');
  if (error) return error.code;
  return r.report!.outputs[0]!.shape.slice(1) as number[];
}

/** The last layer's report: params, buffers, MACs, receptive field. */
export function lastLayer(shape: string, call: string) {
  const r = run(shape, call);
  const errors = r.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) throw new Error(`${call}: ${errors.map((d) => `${d.code} ${d.message}`).join('; ')}`);
  return r.report!.layers.at(-1)!;
}

/** The last node's resolved attributes. */
export function attrsOf(shape: string, call: string): Record<string, unknown> {
  const r = run(shape, call);
  return r.graph!.nodes.at(-1)!.attrs as Record<string, unknown>;
}

/** Compiles a whole model text and fails loudly on errors. */
export function compileOk(text: string): CompileResult {
  const r = compileText(text);
  const errors = r.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) throw new Error(errors.map((d) => `${d.span.start.line}:${d.span.start.col} ${d.code} ${d.message}`).join('\n'));
  return r;
}

/** The first diagnostic (any severity) with this code. */
export function diagnosticOf(shape: string, call: string, code: string) {
  return run(shape, call).diagnostics.find((d) => d.code === code);
}
