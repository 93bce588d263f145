// Shared by the PyTorch export tests: write a model's generated module, its weights (safetensors)
// and its ONNX export with the same weights, and ask one long-lived Python worker
// (tests/python/pytorch_export_check.py: torch + onnxruntime) to compare them.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { IrGraph } from '../../compiler/ir.js';
import { encodeOnnx } from '../../compiler/lower-onnx/encode.js';
import { lowerPytorch, type PytorchModule } from '../../compiler/lower-pytorch/lower.js';
import { pytorchVariants } from '../../compiler/lower-pytorch/variants.js';
import { nodeHost, packageRoot } from '../../compiler/node-host.js';
import { count } from '../../compiler/passes/count.js';
import { declaredWeights, type WeightTensor } from '../../compiler/weights/tensor.js';
import { safetensorsChunks } from '../../compiler/weights/safetensors.js';
import { findPython } from '../../engines/torch/python.js';
import { writeFileAtomic } from '../../runtime/persist/files.js';
import { lower } from '../onnx/harness.js';

export interface CheckAnswer {
  readonly params: number;
  readonly buffers: number;
  readonly shapes: number[][];
  readonly expected_shapes: number[][];
  readonly differences: number[];
  readonly compile_differences?: number[];
  readonly onnx_export_differences?: number[];
  readonly error?: string;
  readonly trace?: string;
}

/** One Python process answering one JSON line per request, in order. */
export class TorchWorker {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly waiting: ((line: string) => void)[] = [];
  private stderr = '';
  private exited?: string;

  constructor() {
    const found = findPython();
    if (typeof found === 'string') throw new Error(found);
    const script = join(packageRoot, 'tests', 'python', 'pytorch_export_check.py');
    this.child = spawn(found.python, [script], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stderr.on('data', (d: Buffer) => {
      this.stderr = (this.stderr + d.toString()).slice(-4000);
    });
    createInterface({ input: this.child.stdout }).on('line', (line) => this.waiting.shift()?.(line));
    this.child.stdin.on('error', () => {}); // a worker that died is reported by 'exit'
    this.child.on('exit', (code, signal) => {
      this.exited = `the Python worker exited (${signal ?? `code ${code}`}; killed for memory?): ${this.stderr}`;
      for (const w of this.waiting.splice(0)) w(JSON.stringify({ error: this.exited }));
    });
  }

  check(request: object): Promise<CheckAnswer> {
    if (this.exited) return Promise.resolve({ error: this.exited } as CheckAnswer);
    return new Promise((resolve) => {
      this.waiting.push((line) => resolve(JSON.parse(line) as CheckAnswer));
      this.child.stdin.write(`${JSON.stringify(request)}\n`);
    });
  }

  close(): void {
    this.child.stdin.end();
  }
}

/** Workers answering in parallel; a request goes to the one with the fewest waiting. */
export class TorchPool {
  private readonly workers: TorchWorker[];
  private readonly pending: number[];

  constructor(size: number) {
    this.workers = Array.from({ length: size }, () => new TorchWorker());
    this.pending = this.workers.map(() => 0);
  }

  async check(request: object): Promise<CheckAnswer> {
    const k = this.pending.indexOf(Math.min(...this.pending));
    this.pending[k]!++;
    try {
      return await this.workers[k]!.check(request);
    } finally {
      this.pending[k]!--;
    }
  }

  close(): void {
    for (const w of this.workers) w.close();
  }
}

/** At most `size` holders at a time (models written to disk at once). */
export class Slots {
  private free: number;
  private readonly queue: (() => void)[] = [];

  constructor(size: number) {
    this.free = size;
  }

  async take(): Promise<() => void> {
    if (this.free > 0) this.free--;
    else await new Promise<void>((resolve) => this.queue.push(resolve));
    return () => {
      const next = this.queue.shift();
      if (next) next();
      else this.free++;
    };
  }
}

export interface Prepared {
  readonly request: Record<string, unknown>;
  readonly lowered: PytorchModule;
  readonly learnable: number;
  readonly buffers: number;
}

/**
 * Writes `<name>.py`, `<name>.safetensors` and `<name>.onnx` (seeded weights) into `dir` and
 * returns the worker request for them. `path` is the .arch file the graph was compiled from, for
 * the parameter variants (compiled with the same input overrides).
 */
export function prepare(name: string, path: string, graph: IrGraph, dir: string, inputs?: Record<string, number[]>): Prepared {
  const variants = pytorchVariants(path, nodeHost, { inputs }, graph);
  const lowered = lowerPytorch(graph, { variants, source: name });
  if (!lowered.code) throw new Error(lowered.diagnostics.map((d) => `${d.code} ${d.message}`).join('\n'));
  const weights = randomWeights(graph, 11);
  const files = { module: join(dir, `${name}.py`), weights: join(dir, `${name}.safetensors`), onnx: join(dir, `${name}.onnx`) };
  writeFileSync(files.module, lowered.code);
  writeFileAtomic(files.weights, safetensorsChunks(weights));
  writeFileAtomic(files.onnx, encodeOnnx(lower(graph, weights)));
  const report = count(graph);
  const request = {
    name,
    class_name: lowered.className,
    ...files,
    inputs: graph.inputs.map((i) => [i.name, graph.nodes[i.node]!.shape]),
  };
  return { request, lowered, learnable: report.params.learnable, buffers: report.params.buffers };
}

/**
 * Random weights that exercise every convention: unlike archc's initializers (zero biases, batch
 * norm as the identity), biases, means, variances and scales all differ from their defaults, so a
 * wrong epsilon, a swapped statistic or a dropped bias shows. They stay near the defaults (scales
 * and variances within 20% of 1) and fan-in scaled, so that float32 rounding, which both sides
 * accumulate differently through 100+ layers, stays below the 1e-5 tolerance (with archc's own
 * He initializer EfficientNetV2-S's activations reach 1e5 and float32 and float64 runs of the
 * same PyTorch module differ by 60%). A xorshift
 * generator: fast enough for VGG's 138 M weights.
 */
export function randomWeights(graph: IrGraph, seed: number): Map<string, WeightTensor> {
  let state = seed >>> 0 || 1;
  const next = (): number => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296;
  };
  const out = new Map<string, WeightTensor>();
  for (const w of declaredWeights(graph)) {
    const size = w.spec.shape.reduce((a, b) => a * b, 1);
    const fanIn = w.spec.shape.slice(1).reduce((a, b) => a * b, 1) || 1;
    // Half the variance that keeps a ReLU network's activations at one scale: deep residual stacks
    // without a final normalization (EfficientNetV2's) would otherwise grow ~1.3× per block.
    const a = Math.sqrt(3 / fanIn);
    const [low, high] = {
      he: [-a, a],
      glorot: [-a, a],
      uniform: [-0.05, 0.05],
      normal: [-0.05, 0.05],
      zeros: [-0.05, 0.05],
      ones: [0.8, 1.2],
      constant: [0.1, 0.4],
    }[w.spec.init];
    const data = new Float32Array(size);
    for (let i = 0; i < size; i++) data[i] = low! + (high! - low!) * next();
    out.set(w.name, { shape: w.spec.shape, data });
  }
  return out;
}
