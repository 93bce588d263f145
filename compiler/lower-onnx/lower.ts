// lower-onnx: a typed IR graph plus its weights → an ONNX ModelProto (standard domain only, IR 8).
// Every op lowers itself through its `onnx` field; this file names tensors after the IR, adds the
// symbolic batch axis `N` to every input, output and value_info, records source locations in doc
// strings, and checks the lowerings against the compiler's shapes as it goes.
import { diagnostic, type Diagnostic } from '../diagnostics.js';
import type { IrGraph, IrNode } from '../ir.js';
import { lookupOp } from '../ops/registry.js';
import { checkWeights, fileSpan } from '../weights/check.js';
import { declaredWeights, littleEndianBytes, weightName, type Weights } from '../weights/tensor.js';
import type { OnnxAttributes, OnnxLoweringContext, OnnxOutput } from './lowering.js';
import { attribute, BATCH, BOOL, constantTensor, FLOAT, INT64, valueInfo } from './proto.js';
import type { Dims, ModelProto, NodeProto, TensorProto, ValueInfoProto } from './proto.js';

export const DEFAULT_OPSET = 17;
/** 13 has the tensor-input forms of Squeeze, Unsqueeze and Split; 17 is the newest python-onnx 1.12 checks. */
export const SUPPORTED_OPSETS = { min: 13, max: 17 } as const;
export const IR_VERSION = 8;

export interface OnnxExportOptions {
  readonly opset?: number;
  /** archc's version, for the model's producer_version. */
  readonly producerVersion: string;
  /** How source files appear in doc strings and metadata (default: as they are). */
  readonly displayPath?: (file: string) => string;
  /** More metadata_props entries (a trained model's classes and normalization). */
  readonly metadata?: Readonly<Record<string, string>>;
}

export interface LowerResult {
  /** Present only when there are no errors. */
  readonly model?: ModelProto;
  readonly diagnostics: readonly Diagnostic[];
  /** Per node of the model's graph, the IR node it lowers (undefined for the Identity of an output). */
  readonly origins?: readonly (IrNode | undefined)[];
  /** The IR node whose output each named tensor holds (graph inputs, outputs and node results). */
  readonly tensors?: ReadonlyMap<string, IrNode>;
}

export function lowerToOnnx(graph: IrGraph, weights: Weights, options: OnnxExportOptions): LowerResult {
  const opset = options.opset ?? DEFAULT_OPSET;
  if (!Number.isInteger(opset) || opset < SUPPORTED_OPSETS.min || opset > SUPPORTED_OPSETS.max) {
    const message = `opset ${opset} is not supported: archc exports opsets ${SUPPORTED_OPSETS.min} to ${SUPPORTED_OPSETS.max}`;
    return { diagnostics: [diagnostic('E0802', message, fileSpan(graph.file), { hint: `the default is ${DEFAULT_OPSET}` })] };
  }
  const checked = checkWeights(graph, weights, 'the weights');
  if (checked.length > 0) return { diagnostics: checked };
  const lowering = new Lowering(graph, weights, opset, options.displayPath ?? ((f) => f));
  lowering.run();
  if (lowering.diagnostics.length > 0) return { diagnostics: lowering.diagnostics };
  const model = lowering.model(options.producerVersion);
  for (const [key, value] of Object.entries(options.metadata ?? {})) model.metadataProps!.push({ key, value });
  return { model, diagnostics: [], origins: lowering.origins, tensors: lowering.tensors() };
}

class Lowering {
  readonly diagnostics: Diagnostic[] = [];
  private readonly nodes: NodeProto[] = [];
  readonly origins: (IrNode | undefined)[] = [];
  private readonly valueInfo: ValueInfoProto[] = [];
  private readonly initializers: TensorProto[] = [];
  private readonly used = new Set<string>();
  private readonly taken = new Set<string>();
  /** The ONNX tensor holding each IR node's output. */
  private readonly tensor = new Map<number, string>();
  /** The name each IR node's output should get: its graph output name, else its IR name. */
  private readonly wanted = new Map<number, string>();

  constructor(
    private readonly graph: IrGraph,
    private readonly weights: Weights,
    private readonly opset: number,
    private readonly show: (file: string) => string,
  ) {
    for (const i of graph.inputs) this.taken.add(i.name);
    for (const o of graph.outputs) this.taken.add(o.name);
    for (const o of [...graph.outputs].reverse()) this.wanted.set(o.node, o.name);
  }

  run(): void {
    for (const i of this.graph.inputs) this.tensor.set(i.node, i.name);
    for (const node of this.graph.nodes) if (node.op !== 'input') this.lowerNode(node);
    this.bindOutputs();
    const declared = declaredWeights(this.graph);
    // Initializers in declaration order (the safetensors order), whatever order lowerings ask in.
    const order = new Map(declared.map((w, i) => [w.name, i]));
    this.initializers.sort((a, b) => order.get(a.name!)! - order.get(b.name!)!);
    const unused = declared.filter((w) => !this.used.has(w.name));
    for (const w of unused) this.internal(w.node, `the ONNX lowering of ${w.node.op} does not use its weight '${w.name}'`);
  }

  tensors(): Map<string, IrNode> {
    const out = new Map<string, IrNode>();
    for (const o of this.graph.outputs) out.set(o.name, this.graph.nodes[o.node]!);
    for (const node of this.graph.nodes) {
      const t = this.tensor.get(node.id);
      if (t !== undefined && !out.has(t)) out.set(t, node);
    }
    return out;
  }

  model(version: string): ModelProto {
    const g = this.graph;
    const dims = (id: number): Dims => [BATCH, ...g.nodes[id]!.shape];
    return {
      irVersion: IR_VERSION,
      opsetImport: [{ domain: '', version: this.opset }],
      producerName: 'archc',
      producerVersion: version,
      docString: `${g.model}, compiled by archc from ${this.show(g.file)}`,
      metadataProps: [
        { key: 'source_model', value: g.model },
        { key: 'source_file', value: this.show(g.file) },
        { key: 'layout', value: 'NCHW; batch axis N is dynamic' },
      ],
      graph: {
        name: g.model,
        node: this.nodes,
        initializer: this.initializers,
        input: g.inputs.map((i) => valueInfo(i.name, dims(i.node))),
        output: g.outputs.map((o) => valueInfo(o.name, dims(o.node))),
        valueInfo: this.valueInfo,
      },
    };
  }

  private lowerNode(node: IrNode): void {
    const def = lookupOp(node.op);
    if (!def) {
      this.internal(node, `'${node.op}' is not a registered op`);
      this.tensor.set(node.id, node.name);
      return;
    }
    const emitted: NodeProto[] = [];
    const temps = new Map<string, Dims>();
    /** Tensors whose element type is not float. */
    const types = new Map<string, number>();
    const doc = this.where(node);
    const ctx: OnnxLoweringContext<unknown> = {
      attrs: node.attrs,
      name: node.name,
      inputs: node.inputs.map((i) => this.tensor.get(i)!),
      inputShapes: node.inputs.map((i) => this.graph.nodes[i]!.shape),
      shape: node.shape,
      opset: this.opset,
      anchor: this.anchor(),
      weight: (w) => this.useWeight(node, w),
      op: (type, inputs, attributes?: OnnxAttributes, output: OnnxOutput = {}) => {
        const out = this.fresh(`${node.name}/${output.as ?? type}`);
        const attrs = Object.entries(attributes ?? {}).map(([k, v]) => attribute(k, v));
        const dims: Dims = output.fixedShape ?? [BATCH, ...(output.shape ?? node.shape)];
        const before = Array.from({ length: output.index ?? 0 }, (_, i) => this.fresh(`${node.name}/${type}_${i}`));
        for (const b of before) temps.set(b, dims);
        emitted.push({ name: out, opType: type, input: [...inputs], output: [...before, out], attribute: attrs, docString: doc });
        temps.set(out, dims);
        if (output.type && output.type !== 'float') types.set(out, output.type === 'int64' ? INT64 : BOOL);
        return out;
      },
      constant: (as, type, values, dims = [values.length]) => {
        const out = this.fresh(`${node.name}/${as}`);
        const value = { name: 'value', type: 4 /* TENSOR */, t: constantTensor(type, values, dims) };
        emitted.push({ name: out, opType: 'Constant', input: [], output: [out], attribute: [value], docString: doc });
        temps.set(out, dims);
        if (type === 'int64') types.set(out, INT64);
        return out;
      },
      unsupported: (message, hint) => {
        this.diagnostics.push(diagnostic('E0801', message, node.span, { related: this.related(node), hint }));
        return ctx.inputs[0] ?? node.name;
      },
    };
    const result = def.onnx(ctx);
    this.finish(node, result, emitted, temps, types);
  }

  /** Names the lowering's result after the IR node and records every tensor's shape. */
  private finish(node: IrNode, result: string, emitted: NodeProto[], temps: Map<string, Dims>, types: Map<string, number>): void {
    const expected: Dims = [BATCH, ...node.shape];
    const output = this.graph.outputs.find((o) => o.node === node.id);
    const producer = emitted.find((n) => n.output?.includes(result));
    if (producer) {
      const produced = temps.get(result)!;
      if (produced.join() !== expected.join()) {
        const says = `produces [${produced.join(', ')}], the compiler says [${expected.join(', ')}]`;
        this.internal(node, `the ONNX lowering of ${node.op} ${says}`);
      }
      const name = this.wanted.get(node.id) ?? this.fresh(node.name);
      for (const n of emitted) n.input = n.input?.map((i) => (i === result ? name : i));
      producer.output = producer.output!.map((o) => (o === result ? name : o));
      producer.name = node.name;
      temps.delete(result);
      if (!output) this.valueInfo.push(valueInfo(name, expected));
      this.tensor.set(node.id, name);
    } else if (output) {
      // The op is the identity at inference (dropout) but its result is a graph output.
      emitted.push({ name: node.name, opType: 'Identity', input: [result], output: [output.name], docString: this.where(node) });
      this.tensor.set(node.id, output.name);
    } else {
      this.tensor.set(node.id, result);
    }
    for (const [name, dims] of temps) this.valueInfo.push(valueInfo(name, dims, types.get(name) ?? FLOAT));
    this.nodes.push(...emitted);
    this.origins.push(...emitted.map(() => node));
  }

  private anchor(): OnnxLoweringContext<unknown>['anchor'] {
    const first = this.graph.inputs[0];
    return first ? { tensor: first.name, rank: this.graph.nodes[first.node]!.shape.length } : { tensor: '', rank: 0 };
  }

  /** A graph output that names a tensor already bound to another name gets an Identity node. */
  private bindOutputs(): void {
    for (const o of this.graph.outputs) {
      const t = this.tensor.get(o.node)!;
      if (t === o.name) continue;
      const docString = this.where(this.graph.nodes[o.node]!);
      this.nodes.push({ name: this.fresh(`${o.name}/Identity`), opType: 'Identity', input: [t], output: [o.name], docString });
      this.origins.push(undefined);
    }
  }

  private useWeight(node: IrNode, short: string): string {
    const name = weightName(node, short);
    const w = this.weights.get(name);
    if (!w) {
      this.internal(node, `the ONNX lowering of ${node.op} asks for an undeclared weight '${name}'`);
      return name;
    }
    if (!this.used.has(name)) {
      this.used.add(name);
      this.taken.add(name); // a `param`'s weight has the node's own name: its output takes another
      this.initializers.push({ name, dims: [...w.shape], dataType: FLOAT, rawData: littleEndianBytes(w.data) });
    }
    return name;
  }

  private fresh(base: string): string {
    let name = base;
    for (let k = 2; this.taken.has(name); k++) name = `${base}_${k}`;
    this.taken.add(name);
    return name;
  }

  /** `file:line:col`, then the block call sites that led there. */
  private where(node: IrNode): string {
    const at = (s: IrNode['span']) => `${this.show(s.file)}:${s.start.line}:${s.start.col}`;
    return [at(node.span), ...node.callStack.map((s) => `called from ${at(s)}`)].join(', ');
  }

  private related(node: IrNode) {
    return node.callStack.map((span) => ({ span, message: 'in a block called here' }));
  }

  private internal(node: IrNode, message: string): void {
    const hint = 'this is a bug in archc, not in your model; please report it';
    this.diagnostics.push(diagnostic('E0900', `internal compiler error: ${message}`, node.span, { hint }));
  }
}
