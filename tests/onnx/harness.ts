// Shared by the ONNX tests: lower a compiled graph, run a one-input model in onnxruntime-node, and
// pick a reduced input size for a zoo model. The checks against onnxruntime and python3-onnx live in
// tools/dev/onnx-check.ts (the full-size script uses them too).
import { existsSync, readFileSync } from 'node:fs';
import ort from 'onnxruntime-node';
import { compile, type CompileResult } from '../../compiler/compile.js';
import type { IrGraph } from '../../compiler/ir.js';
import { lowerToOnnx } from '../../compiler/lower-onnx/lower.js';
import { lowerSizeGeneric } from '../../compiler/lower-onnx/dynamic.js';
import { initWeights } from '../../compiler/weights/init.js';
import type { ModelProto } from '../../compiler/lower-onnx/proto.js';
import type { Weights } from '../../compiler/weights/tensor.js';
import { locate, nodeHost } from '../../compiler/node-host.js';
import { session } from '../../tools/dev/onnx-check.js';

export { bytesOf, declaredDims, light, OnnxChecker, runRandom, session, withIntermediates } from '../../tools/dev/onnx-check.js';

/** Lowers with the given weights and fails the test on any diagnostic. */
export function lower(graph: IrGraph, weights: Weights, opset?: number): ModelProto {
  const result = lowerToOnnx(graph, weights, { producerVersion: 'test', opset });
  if (!result.model) throw new Error(result.diagnostics.map((d) => `${d.code} ${d.message}`).join('\n'));
  return result.model;
}

/** The model compiled with these inputs replaced, or undefined when that fails. */
export function compileAt(path: string, inputs: Readonly<Record<string, readonly number[]>> = {}): IrGraph | undefined {
  const r = compile(path, nodeHost, { inputs: inputs as Record<string, number[]> });
  return r.ok ? r.graph : undefined;
}

/** A zoo model exported size-generic (as `archc export` does) at its default sizes, with seeded weights. */
export function exportSizeGeneric(name: string, seed = 5): { model: ModelProto; graph: IrGraph; weights: Weights; warnings: string[] } {
  const path = locate(name);
  const r = compile(path, nodeHost);
  if (!r.ok || !r.graph || !r.sizes || !r.compileAt) throw new Error(`${name} does not compile with size variables`);
  const weights = initWeights(r.graph, { seed });
  const lowered = lowerSizeGeneric(r.graph, weights, { producerVersion: 'test' }, { analysis: r.sizes, compileAt: r.compileAt });
  if (!lowered.model) throw new Error(lowered.diagnostics.map((d) => d.message).join('\n'));
  return { model: lowered.model, graph: r.graph, weights, warnings: lowered.diagnostics.map((d) => `${d.code} ${d.message}`) };
}

/** Runs a one-input model on given values, with onnxruntime's graph optimizations as users get them. */
export async function run(bytes: Uint8Array, input: { name: string; dims: number[]; data: number[] }): Promise<{ dims: number[]; data: number[] }> {
  const s = await session(bytes, true);
  const out = await s.run({ [input.name]: new ort.Tensor('float32', Float32Array.from(input.data), input.dims) });
  const first = Object.values(out)[0]!;
  return { dims: [...first.dims], data: [...(first.data as Float32Array)] };
}

/**
 * How a model's golden sidecar says to compare it with another engine, if it does: at a layer
 * (`upTo`), or with a larger relative tolerance than the test's own (`tolerance`), and why.
 */
export function parityOf(path: string): { upTo?: string; tolerance?: number } {
  const golden = path.replace(/\.arch$/, '.golden.json');
  if (!existsSync(golden)) return {};
  return (JSON.parse(readFileSync(golden, 'utf8')) as { parity?: { upTo?: string; tolerance?: number } }).parity ?? {};
}

/** Errors that a reduced input size is allowed to cause: expect lines and shape annotations. */
const SIZE_BOUND = new Set(['E0501', 'E0502']);

/**
 * The zoo model at a smaller input size where the architecture allows it (spatial sizes a quarter
 * or half of the declared ones), else at its declared size. Only expect and annotation errors, which
 * state the declared size's numbers, are tolerated at a reduced size.
 */
export function compileReduced(path: string): { result: CompileResult; graph: IrGraph; reduced: boolean } {
  const declared = compile(path, nodeHost);
  if (!declared.ok || !declared.graph) throw new Error(`${path} does not compile`);
  const g = declared.graph;
  for (const factor of [0.25, 0.5]) {
    const inputs: Record<string, number[]> = {};
    for (const i of g.inputs) {
      const [c, ...spatial] = g.nodes[i.node]!.shape;
      const small = spatial.length >= 2 && spatial.every((d) => d >= 64);
      inputs[i.name] = small ? [c!, ...spatial.map((d) => Math.max(16, Math.round(d * factor)))] : [c!, ...spatial];
    }
    if (Object.values(inputs).every((s, k) => s.join() === g.nodes[g.inputs[k]!.node]!.shape.join())) break;
    const result = compile(path, nodeHost, { inputs });
    const blocking = result.diagnostics.filter((d) => d.severity === 'error' && !SIZE_BOUND.has(d.code));
    if (result.graph && blocking.length === 0) return { result, graph: result.graph, reduced: true };
  }
  return { result: declared, graph: g, reduced: false };
}
