// archc export <file|zoo-name>: the model as ONNX (binary, or a readable text form) or its weights
// alone as safetensors. Nothing is written unless the whole export succeeds (temp file + rename).
import { dirname, join, relative } from 'node:path';
import { diagnostic, hasErrors, type Diagnostic } from '../../../compiler/diagnostics.js';
import type { IrGraph } from '../../../compiler/ir.js';
import { encodeOnnx, encodedLength, MAX_ONNX_BYTES } from '../../../compiler/lower-onnx/encode.js';
import { DEFAULT_OPSET, lowerToOnnx, SUPPORTED_OPSETS } from '../../../compiler/lower-onnx/lower.js';
import type { ModelProto } from '../../../compiler/lower-onnx/proto.js';
import { lowerSizeGeneric, type SizeGeneric } from '../../../compiler/lower-onnx/dynamic.js';
import { onnxText } from '../../../compiler/lower-onnx/text.js';
import { renderDiagnostic } from '../../../compiler/render.js';
import { materializeProblem } from '../../../compiler/weights/footprint.js';
import { checkWeights, fileSpan, nonFiniteWeights } from '../../../compiler/weights/check.js';
import { lowerPytorch } from '../../../compiler/lower-pytorch/lower.js';
import { pytorchVariants } from '../../../compiler/lower-pytorch/variants.js';
import { weightsFromOnnx } from '../../../compiler/weights/from-onnx.js';
import { initWeights } from '../../../compiler/weights/init.js';
import { matchWeights, splitPatterns, type MatchProblem } from '../../../compiler/weights/match.js';
import { readSafetensors, safetensorsChunks } from '../../../compiler/weights/safetensors.js';
import type { Weights } from '../../../compiler/weights/tensor.js';
import { parseArgs, UsageError } from '../args.js';
import { displayPath, formatBytes, MAX_WEIGHTS_BYTES, nodeHost, readRegularFile, zooRoot } from '../../../compiler/node-host.js';
import { version } from '../version.js';
import { ioReason, writeFileAtomic } from '../../../runtime/persist/files.js';
import type { CompileResult } from '../../../compiler/compile.js';
import type { Normalize } from '../../../runtime/data/batch.js';
import { isRunFolder, openRunFolder } from '../../../runtime/persist/run-folder.js';
import { files, onnxMetadata, preprocessingOf, type Preprocessing } from '../../../runtime/persist/training-info.js';
import { exportTfjs } from './export-tfjs.js';
import { quantizationBytesFlag } from './training-flags.js';
import { applyQuantization, quantizeFlags, quantizeFlagsUsage, quantizeRequest } from './export-quantize.js';
import { compileFlags, compileFlagsUsage, compileOptions, compileTarget, isIoFailure, printDiagnostics, type Command } from './common.js';

export const FORMATS = ['onnx', 'onnx-text', 'safetensors', 'pytorch', 'tfjs'] as const;
export type ExportFormat = (typeof FORMATS)[number];

export interface ExportOptions {
  readonly format: ExportFormat;
  readonly opset?: number;
  /** Where the weights come from: initialised from a seed, zeros, or already loaded. */
  readonly weights: { readonly init: 'seeded' | 'zeros'; readonly seed: number } | { readonly loaded: Weights; readonly origin: string };
  /** More metadata for the file (a trained model's classes, input size and normalization). */
  readonly metadata?: Readonly<Record<string, string>>;
  /** pytorch: the model compiled at other parameter values (pytorchVariants), for constructor arguments. */
  readonly variants?: readonly { readonly param: string; readonly graph: IrGraph }[];
  /** onnx, onnx-text: a model with size variables keeps them as dynamic dims (absent: fixed sizes). */
  readonly sizes?: SizeGeneric;
}

export interface ExportResult {
  readonly diagnostics: readonly Diagnostic[];
  /** The file's bytes in order; absent when there are errors. */
  readonly chunks?: readonly Uint8Array[];
  /** The ONNX model itself (format onnx), for the quantized and float16 forms. */
  readonly model?: ModelProto;
}

/** A compiled graph → the bytes of the chosen format, or the diagnostics that prevent it. */
export function buildExport(graph: IrGraph, options: ExportOptions): ExportResult {
  if (options.format === 'pytorch') return pytorchExport(graph, options);
  if (options.format === 'tfjs') throw new Error('archc: --format tfjs writes a folder: use exportTfjs');
  const tooLarge = materializeProblem(graph);
  if (tooLarge) return { diagnostics: [tooLarge] };
  let weights: Weights;
  if ('loaded' in options.weights) {
    const problems = checkWeights(graph, options.weights.loaded, options.weights.origin);
    if (problems.length > 0) return { diagnostics: problems };
    weights = options.weights.loaded;
  } else {
    weights = initWeights(graph, { seed: options.weights.seed, zeros: options.weights.init === 'zeros' });
  }
  if (options.format === 'safetensors') {
    return { diagnostics: [], chunks: safetensorsChunks(weights, { source_model: graph.model, producer: `archc ${version}`, ...options.metadata }) };
  }
  const onnxOptions = { opset: options.opset, producerVersion: version, displayPath: sourceName(graph.file), metadata: options.metadata };
  const lowered = options.sizes ? lowerSizeGeneric(graph, weights, onnxOptions, options.sizes) : lowerToOnnx(graph, weights, onnxOptions);
  if (!lowered.model) return { diagnostics: lowered.diagnostics };
  const warnings = lowered.diagnostics;
  if (options.format === 'onnx-text') return { diagnostics: warnings, chunks: [new TextEncoder().encode(onnxText(lowered.model))] };
  const chunks = encodeOnnx(lowered.model);
  const bytes = encodedLength(chunks);
  if (bytes > MAX_ONNX_BYTES) {
    const size = `${(bytes / 2 ** 30).toFixed(2)} GiB`;
    const message = `the ONNX file would be ${size}; protobuf limits ONNX files to 2 GiB`;
    return { diagnostics: [diagnostic('E0802', message, fileSpan(graph.file), { hint: 'export a smaller input size or fewer classes' })] };
  }
  return { diagnostics: warnings, chunks, model: lowered.model };
}

/** Python source; weights stay apart (a --weights file is checked against the model, then named in the header). */
function pytorchExport(graph: IrGraph, options: ExportOptions): ExportResult {
  if ('loaded' in options.weights) {
    const problems = checkWeights(graph, options.weights.loaded, options.weights.origin);
    if (problems.length > 0) return { diagnostics: problems };
  }
  const lowered = lowerPytorch(graph, {
    variants: options.variants,
    source: sourceName(graph.file)(graph.file),
    producer: `archc ${version}`,
    weights: 'loaded' in options.weights ? options.weights.origin : undefined,
  });
  if (!lowered.code) return { diagnostics: lowered.diagnostics };
  return { diagnostics: [], chunks: [new TextEncoder().encode(lowered.code)] };
}

/**
 * Source files as doc strings and metadata name them, the same from any working directory: zoo
 * files as `zoo/...`, others relative to the model's own folder.
 */
function sourceName(root: string): (file: string) => string {
  return (file) => {
    const inZoo = relative(zooRoot, file);
    if (!inZoo.startsWith('..')) return `zoo/${inZoo.split('\\').join('/')}`;
    return relative(dirname(root), file).split('\\').join('/') || file;
  };
}

/** Reads `--weights FILE`: safetensors or ONNX, told apart by the extension or by the content. */
export function readWeightsFile(path: string): { weights?: Weights; diagnostics: Diagnostic[]; ioError?: string } {
  const read0 = readRegularFile(path, MAX_WEIGHTS_BYTES);
  if ('error' in read0) return { diagnostics: [], ioError: `cannot read ${displayPath(path)}: ${read0.error}` };
  const bytes = read0.bytes;
  const isSafetensors = path.endsWith('.safetensors') || (!path.endsWith('.onnx') && bytes[8] === 0x7b);
  const read = isSafetensors ? readSafetensors(bytes) : weightsFromOnnx(bytes);
  if (read.ok) return { weights: read.weights, diagnostics: [] };
  const kind = isSafetensors ? 'safetensors' : 'ONNX';
  return { diagnostics: [diagnostic('E0701', `${displayPath(path)} is not a usable ${kind} weights file: ${read.error}`, fileSpan(path))] };
}

export const exportCommand: Command = {
  usage: `archc export <file|zoo-name|run-folder> [-o PATH] [--format onnx|onnx-text|safetensors|pytorch|tfjs]
  <run-folder>            a folder written by 'archc train -o': the trained model with its weights,
                          its classes, input size and normalization in the file's metadata
${compileFlagsUsage}
  -o, --output PATH       where to write; - for stdout (default: <model>.onnx, <model>.safetensors or
                          <model>.py in the current folder; onnx-text prints to stdout)
      --format F          onnx (default), onnx-text (readable, for review), safetensors (weights) or
                          pytorch (a Python module whose state_dict keys are the weight names) or
                          tfjs (a folder with model.json + weights.bin for tf.loadLayersModel;
                          default <model>-tfjs)
      --quantization-bytes N  tfjs: weights stored as uint8 (1) or uint16 (2), TensorFlow.js's weight
                          quantization
      --weights W         init (seeded He/Glorot, the default), zeros (random initializers give 0),
                          or a .safetensors / .onnx file holding the model's weights by name
                          (pytorch: checked against the model and named in the module's header)
      --init-missing GLOB with a weights file: start the weights GLOB names afresh (seeded by --seed)
                          instead of loading them, e.g. "fc.*" (repeat or comma-separate)
      --seed N            seed of --weights init (default 0)
      --opset N           ONNX opset, ${SUPPORTED_OPSETS.min} to ${SUPPORTED_OPSETS.max} (default ${DEFAULT_OPSET})
      --fixed-size        onnx: fixed input sizes (the default or --input's) even when the model names
                          size variables, which are otherwise dynamic dims (docs/onnx.md)
${quantizeFlagsUsage}`,
  async run(argv) {
    const text = { type: 'string' } as const;
    const parsed = parseArgs(argv, { ...compileFlags, output: { ...text, short: 'o' }, format: text, weights: text, seed: text, opset: text, 'init-missing': { ...text, multiple: true }, 'fixed-size': { type: 'boolean' }, 'quantization-bytes': text, ...quantizeFlags });
    if (parsed.positionals.length !== 1) throw new UsageError('export takes one file or zoo name');
    const format = (parsed.flags['format'] as string | undefined) ?? 'onnx';
    if (!(FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format must be ${FORMATS.join(', ')}; got '${format}'`);
    const seed = integerFlag(parsed.flags['seed'], 'seed', 0, 2 ** 32 - 1) ?? 0;
    const opset = integerFlag(parsed.flags['opset'], 'opset', SUPPORTED_OPSETS.min, SUPPORTED_OPSETS.max);
    const weightsFlag = (parsed.flags['weights'] as string | undefined) ?? 'init';
    const target = parsed.positionals[0]!;
    const request = quantizeRequest(parsed, format, isRunFolder(target));
    const quantizationBytes = quantizationBytesFlag(parsed);
    if (quantizationBytes && format !== 'tfjs') throw new UsageError(`--quantization-bytes is TensorFlow.js's weight quantization: it goes with --format tfjs (for ONNX, --quantize int8 or --dtype float16)`);
    let result: CompileResult;
    let weights: ExportOptions['weights'] = { init: weightsFlag === 'zeros' ? 'zeros' : 'seeded', seed };
    let metadata: Record<string, string> | undefined;
    let normalize: Normalize | undefined;
    let preprocessing: Preprocessing | undefined;
    if (isRunFolder(target)) {
      if (parsed.flags['weights'] || parsed.flags['set'] || parsed.flags['input'] || parsed.flags['model']) {
        throw new UsageError('a run folder brings its own model, settings and weights: --weights, --set, --input and --model do not apply');
      }
      const run = openRunFolder(target);
      if (!run.ok) return fail(`${run.message}${run.hint ? `\n  hint: ${run.hint}` : ''}`);
      result = run.value.compiled;
      weights = { loaded: run.value.weights, origin: displayPath(join(target, files.safetensors)) };
      preprocessing = preprocessingOf(run.value.info);
      metadata = onnxMetadata(preprocessing);
      normalize = run.value.info.normalize;
    } else {
      result = compileTarget(target, compileOptions(parsed));
    }
    printDiagnostics(result);
    if (!result.ok || !result.graph) {
      if (!isIoFailure(result)) process.stderr.write('archc export: the model has errors; nothing was written\n');
      return isIoFailure(result) ? 2 : 1;
    }
    const graph = result.graph;
    if (!metadata && weightsFlag !== 'init' && weightsFlag !== 'zeros') {
      const read = readWeightsFile(weightsFlag);
      if (read.ioError) return fail(read.ioError);
      if (!read.weights) return refuse(read.diagnostics, result);
      const initMissing = splitPatterns((parsed.flags['init-missing'] as string[] | undefined) ?? []);
      const matched = matchWeights(graph, read.weights, initWeights(graph, { seed }), displayPath(weightsFlag), initMissing);
      if (!matched.ok) {
        printMismatch(matched.problem);
        return 1;
      }
      if (matched.fresh.length) process.stderr.write(`initialized afresh (--init-missing): ${matched.fresh.join(', ')}\n`);
      weights = { loaded: matched.weights, origin: displayPath(weightsFlag) };
      const nonFinite = nonFiniteWeights(read.weights, displayPath(weightsFlag));
      if (nonFinite) process.stderr.write(`${renderDiagnostic(nonFinite, result.sources)}\n`);
    } else if (parsed.flags['init-missing']) {
      throw new UsageError('--init-missing chooses tensors of a --weights file to start afresh; give --weights FILE too');
    }
    // Constructor arguments (classes=...) come from compiling the .arch file at other values; a run
    // folder's model is trained for its settings and stays as it is.
    const variants = format === 'pytorch' && !metadata ? pytorchVariants(graph.file, nodeHost, compileOptions(parsed), graph) : undefined;
    if (format === 'tfjs') {
      const output = (parsed.flags['output'] as string | undefined) ?? `${graph.model}-tfjs`;
      if (output === '-') throw new UsageError('--format tfjs writes a folder; give -o DIR');
      const tfjsWeights = 'loaded' in weights ? weights.loaded : initWeights(graph, { seed: weights.seed, zeros: weights.init === 'zeros' });
      const written = await exportTfjs(graph, tfjsWeights, output, { preprocessing, quantizationBytes });
      if (!written.ok) return fail(`${written.message}; nothing was written`, written.exitCode);
      process.stderr.write(`wrote ${displayPath(output)}/model.json + weights.bin (${written.summary})\n`);
      return 0;
    }
    // Quantization calibrates and rewrites a fixed-size graph; run folders are trained at one size.
    const generic = !metadata && !request && !parsed.flags['fixed-size'];
    const sizes = generic && result.sizes && result.compileAt ? { analysis: result.sizes, compileAt: result.compileAt } : undefined;
    const built = buildExport(graph, { format: format as ExportFormat, opset, weights, metadata, variants, sizes });
    if (hasErrors(built.diagnostics) || !built.chunks) return refuse(built.diagnostics, result);
    if (built.diagnostics.length > 0) printDiagnostics({ ...result, diagnostics: built.diagnostics });
    let chunks = built.chunks;
    let what = format === 'safetensors' ? format : format === 'pytorch' ? 'PyTorch module' : `${format}, opset ${opset ?? DEFAULT_OPSET}`;
    if (request && built.model) {
      const quantized = await applyQuantization(built.model, graph, request, normalize, (line) => process.stderr.write(`archc export: ${line}\n`));
      if (!quantized.ok) return fail(`${quantized.message}${quantized.hint ? `\n  hint: ${quantized.hint}` : ''}\narchc export: nothing was written`, quantized.exitCode);
      chunks = encodeOnnx(quantized.model);
      what = `${what}, ${quantized.summary}`;
    }
    const extension = format === 'safetensors' ? 'safetensors' : format === 'pytorch' ? 'py' : request ? `${request.kind}.onnx` : 'onnx';
    const output = (parsed.flags['output'] as string | undefined) ?? (format === 'onnx-text' ? '-' : `${graph.model}.${extension}`);
    if (output === '-') {
      for (const chunk of chunks) process.stdout.write(chunk);
      return 0;
    }
    try {
      writeFileAtomic(output, chunks);
    } catch (e) {
      return fail(`cannot write ${displayPath(output)}: ${ioReason(e)}; nothing was written`);
    }
    const bytes = encodedLength(chunks);
    process.stderr.write(`wrote ${displayPath(output)} (${formatBytes(bytes)}, ${what})\n`);
    return 0;
  },
};

function integerFlag(value: unknown, name: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (Number.isInteger(n) && n >= min && n <= max) return n;
  throw new UsageError(`--${name} must be an integer from ${min} to ${max}; got '${value}'`);
}

function refuse(diagnostics: readonly Diagnostic[], compiled: CompileResult): number {
  printDiagnostics({ ...compiled, ok: false, diagnostics });
  process.stderr.write('archc export: nothing was written\n');
  return 1;
}

function printMismatch(problem: MatchProblem): void {
  const lines = [`archc export: ${problem.message}`, ...problem.notes.map((n) => `  note: ${n}`)];
  if (problem.hint) lines.push(`  hint: ${problem.hint}`);
  process.stderr.write(`${lines.join('\n')}\narchc export: nothing was written\n`);
}

function fail(message: string, exitCode: 1 | 2 = 2): number {
  process.stderr.write(`archc export: ${message}\n`);
  return exitCode;
}
