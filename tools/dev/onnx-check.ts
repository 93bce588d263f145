// Checks of an exported ONNX model against the compiler, shared by the tests and by
// tools/dev/check-onnx-export.ts: onnxruntime runs at batch 1 and 2, every intermediate shape it computes
// against the value_info, and Debian's python3-onnx (checker with full_check, strict shape inference).
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import ort from 'onnxruntime-node';
import type { IrGraph } from '../../compiler/ir.js';
import { encodeOnnx } from '../../compiler/lower-onnx/encode.js';
import { dimsOf, FLOAT, INT64, type ModelProto } from '../../compiler/lower-onnx/proto.js';
import { concatChunks } from '../../compiler/weights/safetensors.js';

export const bytesOf = (model: ModelProto): Uint8Array => concatChunks(encodeOnnx(model));

/** A variant with every intermediate tensor as an extra graph output (no declared shape). */
export function withIntermediates(model: ModelProto): ModelProto {
  const g = model.graph!;
  const extra = (g.valueInfo ?? []).map((v) => ({ name: v.name, type: { tensorType: { elemType: v.type!.tensorType!.elemType } } }));
  return { ...model, graph: { ...g, output: [...(g.output ?? []), ...extra] } };
}

/**
 * The same graph with every initializer replaced by zeros made at run time (ConstantOfShape), as
 * ONNX's own "light" test models are: nodes, shapes and shape inference are unchanged, and the file
 * is small however large the weights.
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

/** Every output and value_info tensor's declared dims, the batch replaced by `batch` (tensors with size-dependent dims left out). */
export function declaredDims(model: ModelProto, batch: number): Map<string, number[]> {
  const out = new Map<string, number[]>();
  const g = model.graph!;
  for (const v of [...(g.output ?? []), ...(g.valueInfo ?? [])]) {
    const dims = dimsOf(v);
    const fixed = dims?.map((d) => (d === 'N' ? batch : d));
    if (fixed?.every((d) => typeof d === 'number')) out.set(v.name!, fixed as number[]);
  }
  return out;
}

/** A session as users get it (all graph optimizations), or with none (every tensor kept as is). */
export async function session(bytes: Uint8Array, optimize = false): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(bytes, { graphOptimizationLevel: optimize ? 'all' : 'disabled' });
}

/** Runs with deterministic pseudo-random inputs of the graph's shapes at this batch size. */
export async function runRandom(s: ort.InferenceSession, graph: IrGraph, batch: number): Promise<ort.InferenceSession.OnnxValueMapType> {
  const feeds: Record<string, ort.Tensor> = {};
  for (const i of graph.inputs) {
    const dims = [batch, ...graph.nodes[i.node]!.shape];
    const data = Float32Array.from({ length: dims.reduce((a, b) => a * b, 1) }, (_, k) => Math.sin(k * 12.9898) * 0.5);
    feeds[i.name] = new ort.Tensor('float32', data, dims);
  }
  return s.run(feeds);
}

/** Output shapes onnxruntime gives at batch 1 and 2 that differ from the compiler's; [] when all agree. */
export async function outputMismatches(bytes: Uint8Array, graph: IrGraph): Promise<string[]> {
  const s = await session(bytes, true);
  const problems: string[] = [];
  try {
    for (const batch of [1, 2]) {
      const out = await runRandom(s, graph, batch);
      for (const o of graph.outputs) {
        const want = [batch, ...graph.nodes[o.node]!.shape];
        const got = out[o.name]?.dims;
        if (got?.join() !== want.join()) problems.push(`${o.name} at batch ${batch}: [${got}], compiler [${want}]`);
      }
    }
  } finally {
    await s.release();
  }
  return problems;
}

/** Intermediate tensors whose shape at batch 2 differs from the declared value_info; [] when all agree. */
export async function intermediateMismatches(model: ModelProto, graph: IrGraph): Promise<string[]> {
  const s = await session(bytesOf(withIntermediates(model)));
  try {
    const computed = await runRandom(s, graph, 2);
    return [...declaredDims(model, 2)]
      .filter(([t, dims]) => computed[t]?.dims.join() !== dims.join())
      .map(([t, dims]) => `${t}: onnxruntime [${computed[t]?.dims ?? 'missing'}], declared [${dims}]`);
  } finally {
    await s.release();
  }
}

/**
 * One long-lived /usr/bin/python3 (Debian's python3-onnx): for each file, check_model with
 * full_check and strict shape inference, both reading the file in C++; answers "ok" or the error.
 */
export class OnnxChecker {
  private readonly child: ChildProcessWithoutNullStreams;
  private buffer = '';
  private readonly waiting: ((line: string) => void)[] = [];

  constructor(python = '/usr/bin/python3') {
    const script = [
      'import os, sys, onnx',
      'for line in sys.stdin:',
      '    path = line.strip()',
      '    try:',
      '        onnx.checker.check_model(path, full_check=True)',
      '        onnx.shape_inference.infer_shapes_path(path, path + ".inferred", check_type=True, strict_mode=True)',
      '        os.remove(path + ".inferred")',
      '        print("ok", flush=True)',
      '    except Exception as e:',
      '        print(repr(e).replace("\\n", " "), flush=True)',
    ].join('\n');
    this.child = spawn(python, ['-c', script]);
    this.child.stdout.setEncoding('utf8');
    this.child.stdout.on('data', (text: string) => {
      this.buffer += text;
      for (let at = this.buffer.indexOf('\n'); at >= 0; at = this.buffer.indexOf('\n')) {
        const line = this.buffer.slice(0, at);
        this.buffer = this.buffer.slice(at + 1);
        this.waiting.shift()?.(line);
      }
    });
    this.child.on('error', (e) => this.waiting.splice(0).forEach((resolve) => resolve(`cannot run ${python}: ${e.message}`)));
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
