// Shared by the ONNX tests: export a compiled graph, run it in onnxruntime-node, pick a reduced input
// size for a zoo model, and ask Debian's python3-onnx to check a file.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import ort from 'onnxruntime-node';
import { compile, type CompileResult } from '../../compiler/compile.js';
import type { IrGraph } from '../../compiler/ir.js';
import { encodeOnnx } from '../../compiler/lower-onnx/encode.js';
import { lowerToOnnx } from '../../compiler/lower-onnx/lower.js';
import { dimsOf, FLOAT, INT64, type ModelProto } from '../../compiler/lower-onnx/proto.js';
import { concatChunks } from '../../compiler/weights/safetensors.js';
import type { Weights } from '../../compiler/weights/tensor.js';
import { nodeHost } from '../../tools/node-host.js';

export const bytesOf = (model: ModelProto): Uint8Array => concatChunks(encodeOnnx(model));

/** Lowers with the given weights and fails the test on any diagnostic. */
export function lower(graph: IrGraph, weights: Weights, opset?: number): ModelProto {
  const result = lowerToOnnx(graph, weights, { producerVersion: 'test', opset });
  if (!result.model) throw new Error(result.diagnostics.map((d) => `${d.code} ${d.message}`).join('\n'));
  return result.model;
}

/** A variant with every intermediate tensor as an extra graph output (no declared shape). */
export function withIntermediates(model: ModelProto): ModelProto {
  const g = model.graph!;
  const extra = (g.valueInfo ?? []).map((v) => ({ name: v.name, type: { tensorType: { elemType: v.type!.tensorType!.elemType } } }));
  return { ...model, graph: { ...g, output: [...(g.output ?? []), ...extra] } };
}

/**
 * The same graph with every initializer replaced by zeros made at run time (ConstantOfShape), as
 * ONNX's own "light" test models are: shapes, checks and shape inference are unchanged, and the
 * file is small however large the weights.
 */
export function light(model: ModelProto): ModelProto {
  const g = model.graph!;
  const nodes = (g.initializer ?? []).flatMap((t) => {
    const dims = (t.dims ?? []).map(Number);
    const shape = { name: 'value', type: 4, t: { dims: [dims.length], dataType: INT64, int64Data: dims } };
    const zero = { name: 'value', type: 4, t: { dims: [1], dataType: FLOAT, floatData: [0] } };
    return [
      { name: `${t.name}/shape`, opType: 'Constant', input: [], output: [`${t.name}/shape`], attribute: [shape] },
      { name: `${t.name}/zeros`, opType: 'ConstantOfShape', input: [`${t.name}/shape`], output: [t.name!], attribute: [zero] },
    ];
  });
  return { ...model, graph: { ...g, initializer: [], node: [...nodes, ...(g.node ?? [])] } };
}

/** Every tensor's declared dims (inputs, outputs, value_info), the batch replaced by `batch`. */
export function declaredDims(model: ModelProto, batch: number): Map<string, number[]> {
  const out = new Map<string, number[]>();
  const g = model.graph!;
  for (const v of [...(g.output ?? []), ...(g.valueInfo ?? [])]) {
    const dims = dimsOf(v);
    if (dims) out.set(v.name!, dims.map((d) => (d === 'N' ? batch : d)));
  }
  return out;
}

export async function session(bytes: Uint8Array): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(bytes, { graphOptimizationLevel: 'disabled' });
}

/** Runs with random inputs of the graph's shapes at this batch size. */
export async function runRandom(s: ort.InferenceSession, graph: IrGraph, batch: number): Promise<ort.InferenceSession.ReturnType> {
  const feeds: Record<string, ort.Tensor> = {};
  for (const i of graph.inputs) {
    const dims = [batch, ...graph.nodes[i.node]!.shape];
    const data = Float32Array.from({ length: dims.reduce((a, b) => a * b, 1) }, (_, k) => Math.sin(k * 12.9898) * 0.5);
    feeds[i.name] = new ort.Tensor('float32', data, dims);
  }
  return s.run(feeds);
}

/** Runs a one-input model on given values. */
export async function run(bytes: Uint8Array, input: { name: string; dims: number[]; data: number[] }): Promise<{ dims: number[]; data: number[] }> {
  const s = await session(bytes);
  const out = await s.run({ [input.name]: new ort.Tensor('float32', Float32Array.from(input.data), input.dims) });
  const first = Object.values(out)[0]!;
  return { dims: [...first.dims], data: [...(first.data as Float32Array)] };
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

/**
 * One long-lived /usr/bin/python3 (Debian's python3-onnx): for each path, check_model(full_check)
 * and strict shape inference; answers "ok" or the error, one line per file.
 */
export class OnnxChecker {
  private readonly child: ChildProcessWithoutNullStreams;
  private buffer = '';
  private waiting: ((line: string) => void)[] = [];

  constructor() {
    const script = [
      'import sys, onnx',
      'for line in sys.stdin:',
      '    path = line.strip()',
      '    try:',
      '        m = onnx.load(path)',
      '        onnx.checker.check_model(m, full_check=True)',
      '        onnx.shape_inference.infer_shapes(m, check_type=True, strict_mode=True)',
      '        print("ok", flush=True)',
      '    except Exception as e:',
      '        print(repr(e).replace("\\n", " "), flush=True)',
    ].join('\n');
    this.child = spawn('/usr/bin/python3', ['-c', script]);
    this.child.stdout.setEncoding('utf8');
    this.child.stdout.on('data', (text: string) => {
      this.buffer += text;
      for (let at = this.buffer.indexOf('\n'); at >= 0; at = this.buffer.indexOf('\n')) {
        const line = this.buffer.slice(0, at);
        this.buffer = this.buffer.slice(at + 1);
        this.waiting.shift()?.(line);
      }
    });
  }

  check(path: string): Promise<string> {
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      this.child.stdin.write(`${path}\n`);
    });
  }

  close(): void {
    this.child.stdin.end();
  }
}

