// Lowers an IR graph to a tf.LayersModel (tfjs-layers functional API). Each node's op file says
// how through its `tfjs` field; this file keeps the bookkeeping: NHWC layouts and the
// conversions between them, layer names, frozen layers, and the IR weight ↔ variable bindings.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { IrGraph, IrNode, Shape } from '../compiler/ir.js';
import { lookupOp } from '../compiler/ops/registry.js';
import { declaredWeights } from '../compiler/weights/tensor.js';
import { diagnostic, type Diagnostic } from '../compiler/diagnostics.js';
import { customLayers } from './layers/index.js';
import type { Layout, LowerKit, Lowered, WeightBinding, WindowSpec } from '../compiler/lower-tfjs/contract.js';
import { METADATA_FORMAT, type ArchcMetadata, type BoundWeight, type TensorIo } from './metadata.js';

export type BuildResult =
  | { readonly ok: true; readonly model: tfl.LayersModel; readonly metadata: ArchcMetadata; readonly diagnostics: readonly Diagnostic[]; readonly taps?: readonly Tap[] }
  | { readonly ok: false; readonly diagnostics: readonly Diagnostic[] };

/** A node's output as tfjs holds it; inputs are created on first use, in the layout asked for. */
interface Value {
  readonly node: IrNode;
  tensor?: tfl.SymbolicTensor;
  layout: Layout;
  /** For `flat-cl`: the IR shape that was flattened. */
  flatFrom?: Shape;
  /** Conversions of this value already made, by layout. */
  readonly views: Map<Layout, tfl.SymbolicTensor>;
  /** Computed from the model's inputs by ops without weights: training never needs its gradient. */
  readonly weightFree: boolean;
  /** A model input's IR axes whose size is unknown (null in tfjs): its size variables. */
  readonly unknown?: readonly number[];
}

interface PendingBinding extends WeightBinding {
  readonly node: IrNode;
  readonly layer: tfl.layers.Layer;
  readonly index: number;
}

/**
 * A node's output made observable, for looking inside a network (runtime/explain): the model gets
 * one more input, added to the node's output (feed zeros: the gradient with respect to that input
 * is the gradient with respect to the node's output, even where skip connections go around it), and
 * one more output, the node's value. Both follow the model's own inputs and outputs, in tap order.
 */
export interface Tap {
  readonly node: IrNode;
  /** How tfjs holds the value: `cl` is channels-last ([N, H, W, C] for an IR [C, H, W]). */
  readonly layout: Layout;
  /** The tfjs shape without the batch. */
  readonly tfjsShape: readonly number[];
}

export interface LowerOptions {
  /** Ids of nodes to tap (see Tap); an input node cannot be tapped. */
  readonly taps?: readonly number[];
  /**
   * The same size-generic model compiled at other admissible sizes (compiler/symbolic/probes.ts):
   * when its layers are configured alike at those sizes, the model's inputs take any such size
   * (null height and width); otherwise the sizes stay fixed and a warning W0111 names the layer.
   */
  readonly probes?: readonly IrGraph[];
}

/**
 * Lowers `graph`; a node that cannot be lowered gives a diagnostic at its source. With `probes`, a
 * model whose inputs name size variables accepts every size its layers do not depend on.
 */
export function lowerGraph(graph: IrGraph, options: LowerOptions = {}): BuildResult {
  const taps = options.taps ?? [];
  if (!options.probes?.length || !graph.sizes?.length) return lowerAt(graph, undefined, taps);
  const refusal = sizeDependence(graph, [graph, ...options.probes]);
  if (refusal) {
    const fixed = lowerAt(graph, undefined, taps);
    return fixed.ok ? { ...fixed, diagnostics: [...fixed.diagnostics, fixedSizeWarning(graph, refusal)] } : fixed;
  }
  const axes = new Map<string, number[]>();
  for (const v of graph.sizes) axes.set(v.input, [...(axes.get(v.input) ?? []), v.axis]);
  const generic = lowerAt(graph, axes, taps);
  if (generic.ok) return generic;
  const fixed = lowerAt(graph, undefined, taps);
  const first = generic.diagnostics[0];
  const refused = { node: graph.nodes.find((n) => n.span === first?.span), reason: `tfjs-layers cannot build it with unknown sizes: ${first?.message ?? ''}` };
  return fixed.ok ? { ...fixed, diagnostics: [...fixed.diagnostics, fixedSizeWarning(graph, refused)] } : fixed;
}

/**
 * Lowers the graph at each size with the windowed ops' choices that do not depend on the size and
 * compares the layers' configurations: the first layer configured differently at two sizes bakes
 * the size in.
 */
function sizeDependence(graph: IrGraph, probes: readonly IrGraph[]): { node?: IrNode; reason: string } | undefined {
  let first: string[] | undefined;
  for (const probe of probes) {
    const built = lowerAt(probe, new Map(), []);
    if (!built.ok) return { reason: built.diagnostics[0]?.message ?? 'it does not build at another size' };
    const configs = built.model.layers.filter((l) => l.getClassName() !== 'InputLayer').map((l) => `${l.getClassName()} ${JSON.stringify(l.getConfig())}`);
    built.model.dispose();
    if (!first) {
      first = configs;
      continue;
    }
    const k = configs.findIndex((c, i) => c !== first![i]);
    if (k >= 0 || configs.length !== first.length) {
      const layer = (configs[k] ?? first[configs.length] ?? '').split(' ')[0];
      const name = /"name":"([^"]*)"/.exec(configs[k] ?? '')?.[1] ?? '';
      const node = graph.nodes.find((n) => name === n.name || name.startsWith(`${n.name}-`));
      return { node, reason: `its ${layer} layer${name ? ` ${name}` : ''} is configured for one input size` };
    }
  }
  return undefined;
}

function fixedSizeWarning(graph: IrGraph, r: { node?: IrNode; reason: string }): Diagnostic {
  const inputs = graph.inputs.filter((i) => graph.sizes!.some((v) => v.input === i.name));
  const fixed = inputs.map((i) => `${i.name} [${graph.nodes[i.node]!.shape.join(', ')}]`).join(', ');
  const what = r.node ? `${r.node.op} ${r.node.name}` : 'the model';
  return diagnostic('W0111', `the TensorFlow.js model keeps fixed input sizes (${fixed}): ${what} is not size-generic in tfjs: ${r.reason}`, r.node?.span ?? graph.nodes[0]!.span, {
    related: (r.node?.callStack ?? []).map((span) => ({ span, message: 'in a block called here' })),
    hint: 'build it once per size (--input NAME=CxHxW)',
  });
}

/**
 * One lowering. `dynamic`: per input, the IR axes of its size variables, made unknown (null) in the
 * tfjs input; its presence also asks every op for size-independent choices (explicit pads rather
 * than "same" when the stride is above 1, since TF's same pads depend on the size).
 */
function lowerAt(graph: IrGraph, dynamic: ReadonlyMap<string, readonly number[]> | undefined, tapIds: readonly number[]): BuildResult {
  const tapped = new Map<number, { delta: tfl.SymbolicTensor; output: tfl.SymbolicTensor; tap: Tap }>();
  const values = new Map<number, Value>();
  const bindings: PendingBinding[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const node of graph.nodes) {
    if (node.op === 'input') {
      const name = graph.inputs.find((i) => i.node === node.id)?.name ?? '';
      const unknown = dynamic?.get(name);
      values.set(node.id, { node, layout: node.shape.length >= 3 ? 'cl' : 'plain', views: new Map(), weightFree: true, ...(unknown ? { unknown } : {}) });
      continue;
    }
    const op = lookupOp(node.op);
    const lowering = op?.tfjs;
    if (!lowering) {
      diagnostics.push(diagnostic('E0850', `${node.op} has no TensorFlow.js lowering yet`, node.span));
      continue;
    }
    const inputs = node.inputs.map((id) => values.get(id));
    if (inputs.some((v) => v === undefined)) continue; // an input already failed to lower
    try {
      const kit = makeKit(node, inputs as Value[], bindings, () => anchor(graph, values), dynamic !== undefined);
      const out: Lowered = lowering(node.attrs, kit);
      const flatFrom = out.layout === 'flat-cl' ? (out.flatFrom ?? inputs.find((v) => v!.layout === 'flat-cl')?.flatFrom) : undefined;
      if (out.layout === 'flat-cl' && !flatFrom) throw new Error('a flat-cl output needs the shape it flattens');
      const weightFree = inputs.every((v) => v!.weightFree) && !(op?.weights?.(node.attrs, kit.inputShapes) ?? []).length;
      const output = tapIds.includes(node.id) ? tap(node, out, tapped) : out.output;
      values.set(node.id, { node, tensor: output, layout: out.layout, flatFrom, views: new Map(), weightFree });
    } catch (e) {
      diagnostics.push(diagnostic('E0850', `${node.name} (${node.op}) cannot be lowered to TensorFlow.js: ${(e as Error).message}`, node.span, {
        hint: 'this is a limitation of archc\'s tfjs runtime, not an error in the model',
      }));
    }
  }
  if (diagnostics.length) return { ok: false, diagnostics };

  const inputs = graph.inputs.map(({ node }) => {
    const value = values.get(node)!;
    materialize(value, value.layout);
    return value;
  });
  const outputs = graph.outputs.map(({ node }) => {
    const value = values.get(node)!;
    if (value.layout === 'flat-cl') return { value, tensor: convert(value, 'plain'), layout: 'plain' as const };
    return { value, tensor: value.tensor!, layout: value.layout };
  });
  const taps = [...tapped.values()];
  const model = tfl.model({
    inputs: [...inputs.map((v) => v.tensor!), ...taps.map((t) => t.delta)],
    outputs: [...outputs.map((o) => o.tensor), ...taps.map((t) => t.output)],
    name: graph.model,
  });
  const weights = resolveBindings(graph, bindings, diagnostics);
  if (diagnostics.length) return { ok: false, diagnostics };
  const metadata: ArchcMetadata = {
    format: METADATA_FORMAT,
    model: graph.model,
    inputs: graph.inputs.map(({ name }, i) => io(name, inputs[i]!.node.shape, inputs[i]!.layout as 'cl' | 'plain')),
    outputs: graph.outputs.map(({ name }, i) => io(name, outputs[i]!.value.node.shape, outputs[i]!.layout as 'cl' | 'plain')),
    weights,
  };
  model.setUserDefinedMetadata({ archc: metadata });
  return { ok: true, model, metadata, diagnostics, ...(taps.length ? { taps: taps.map((t) => t.tap) } : {}) };
}

/** The node's output plus a zero-fed input of its shape (see Tap). */
function tap(node: IrNode, out: Lowered, tapped: Map<number, { delta: tfl.SymbolicTensor; output: tfl.SymbolicTensor; tap: Tap }>): tfl.SymbolicTensor {
  const tfjsShape = out.output.shape.slice(1) as number[];
  const delta = tfl.input({ shape: tfjsShape, name: `${node.name}-tap-delta`, dtype: 'float32' });
  const output = tfl.layers.add({ name: `${node.name}-tap` }).apply([out.output, delta]) as tfl.SymbolicTensor;
  tapped.set(node.id, { delta, output, tap: { node, layout: out.layout, tfjsShape } });
  return output;
}

function io(name: string, shape: Shape, layout: 'cl' | 'plain'): TensorIo {
  return { name, shape, layout, tfjsShape: layout === 'cl' ? toChannelsLast(shape) : [...shape] };
}

const toChannelsLast = <T>(shape: readonly T[]): T[] => (shape.length < 2 ? [...shape] : [...shape.slice(1), shape[0]!]);

/** The model's first input, made in its natural layout if nothing has asked for it yet. */
function anchor(graph: IrGraph, values: Map<number, Value>): tfl.SymbolicTensor {
  const first = graph.inputs[0];
  if (!first) throw new Error('a tensor without inputs needs a model input for its batch size');
  const value = values.get(first.node)!;
  materialize(value, value.layout);
  return value.tensor!;
}

function makeKit(node: IrNode, inputs: Value[], bindings: PendingBinding[], anchor: () => tfl.SymbolicTensor, sizeGeneric: boolean): LowerKit {
  const inputShapes = inputs.map((v) => v.node.shape);
  const kit: LowerKit = {
    node,
    inputShapes,
    tf,
    layers: tfl.layers,
    custom: customLayers,
    input(i, request) {
      const value = inputs[i]!;
      if (!value.tensor) materialize(value, request === 'cl' || request === 'plain' ? request : value.layout);
      const layout = kit.layoutOf(i, request);
      return layout === value.layout ? value.tensor! : convert(value, layout);
    },
    layoutOf(i, request = 'as-is') {
      const current = inputs[i]!.layout;
      if (request === 'as-is') return current;
      return request === 'any' ? (current === 'flat-cl' ? 'plain' : current) : request;
    },
    isSame(i, window) {
      // With a stride above 1, TF's same pads depend on the input size: a size-generic model pads explicitly.
      if (sizeGeneric && window.stride.some((s) => s > 1)) return false;
      const same = tfjsSamePads(inputShapes[i]!.slice(1), window);
      return same.begin.join() === window.pads.begin.join() && same.end.join() === window.pads.end.join();
    },
    anchor,
    flatSource: (i) => inputs[i]!.flatFrom,
    weightFree: (i) => inputs[i]!.weightFree,
    common(options = {}) {
      let layout = commonLayout(inputs);
      if (layout === 'flat-cl' && !options.flat) layout = 'plain';
      return { inputs: inputs.map((_, i) => kit.input(i, layout === 'flat-cl' ? 'as-is' : layout)), layout };
    },
    padded(i, window, options = {}) {
      const x = kit.input(i, 'cl');
      const { begin, end } = window.pads;
      if ([...begin, ...end].every((p) => p === 0)) return { x, padding: 'valid' };
      if (options.same !== false && kit.isSame(i, window)) return { x, padding: 'same' };
      // Zero pads of an image are tfjs-layers' own ZeroPadding2D (a saved model then needs no archc
      // layer for them); other values and ranks take ArchcPad.
      const zero2d = begin.length === 2 && (options.value ?? 0) === 0;
      const pad = zero2d
        ? tfl.layers.zeroPadding2d({ name: kit.name('pad'), padding: [[begin[0]!, end[0]!], [begin[1]!, end[1]!]] })
        : customLayers.pad({ name: kit.name('pad'), begin: [...begin], end: [...end], value: options.value ?? 0 });
      return { x: kit.apply(pad, x), padding: 'valid' };
    },
    axis: (axis, rank, layout) => (layout === 'cl' && rank >= 2 ? (axis === 0 ? rank : axis) : axis + 1),
    name: (suffix) => (suffix ? `${node.name}-${suffix}` : node.name),
    apply(layer, x, weights = []) {
      if (node.frozen) layer.trainable = false;
      skipInitialization(layer);
      const y = layer.apply(x) as tfl.SymbolicTensor;
      weights.forEach((w, index) => bindings.push({ ...w, node, layer, index }));
      return y;
    },
  };
  return kit;
}

/** Initializers that tfjs layers draw their weights with; archc loads every weight afterwards. */
const INITIALIZER_FIELDS = ['kernelInitializer', 'biasInitializer', 'depthwiseInitializer', 'gammaInitializer', 'betaInitializer', 'movingMeanInitializer', 'movingVarianceInitializer', 'alphaInitializer'];

/**
 * Drawing random initial values costs seconds for a large model (tfjs generates them in
 * JavaScript), and buildModel overwrites every weight right after: start from zeros instead.
 */
function skipInitialization(layer: tfl.layers.Layer): void {
  const fields = layer as unknown as Record<string, unknown>;
  for (const field of INITIALIZER_FIELDS) if (fields[field] !== undefined) fields[field] = zeros;
}

const zeros = tfl.initializers.zeros();

/** tfjs's "same" pads (TF's SAME_UPPER): output ceil(I/s), any odd extra row at the end. */
function tfjsSamePads(input: Shape, w: WindowSpec): { begin: number[]; end: number[] } {
  const total = input.map((size, i) => {
    const keff = w.dilation[i]! * (w.kernel[i]! - 1) + 1;
    return Math.max((Math.ceil(size / w.stride[i]!) - 1) * w.stride[i]! + keff - size, 0);
  });
  return { begin: total.map((t) => Math.floor(t / 2)), end: total.map((t) => t - Math.floor(t / 2)) };
}

/** `cl` when a same-rank image input is present; `flat-cl` when all inputs are the same flatten. */
function commonLayout(inputs: Value[]): Layout {
  const rank = inputs[0]!.node.shape.length;
  if (inputs.some((v) => v.node.shape.length !== rank)) return 'plain';
  if (inputs.every((v) => v.tensor && v.layout === 'flat-cl' && sameShape(v, inputs[0]!))) return 'flat-cl';
  if (rank >= 2 && inputs.some((v) => v.layout === 'cl')) return 'cl';
  return 'plain';
}

/** Flattened values agree on their order only if they were flattened from equal shapes. */
const sameShape = (a: Value, b: Value): boolean => a.flatFrom?.join() === b.flatFrom?.join();

/** Creates a lazily made model input in `layout`. */
function materialize(value: Value, layout: Layout): void {
  if (value.tensor) return;
  const shape = value.node.shape;
  value.layout = layout === 'cl' && shape.length >= 2 ? 'cl' : 'plain';
  const known: (number | null)[] = shape.map((d, axis) => (value.unknown?.includes(axis) ? null : d));
  const tfjsShape = value.layout === 'cl' ? toChannelsLast(known) : [...known];
  value.tensor = tfl.input({ shape: tfjsShape, name: value.node.name, dtype: 'float32' });
}

/** Converts a value to `layout` with Permute/Reshape layers, once per value and layout. */
function convert(value: Value, layout: Layout): tfl.SymbolicTensor {
  const cached = value.views.get(layout);
  if (cached) return cached;
  const shape = value.node.shape;
  const rank = shape.length;
  const name = `${value.node.name}-to-${layout}`;
  let out: tfl.SymbolicTensor;
  if (rank < 2 && value.layout !== 'flat-cl') out = value.tensor!;
  else if (value.layout === 'flat-cl') {
    const from = value.flatFrom!;
    const r = from.length;
    const image = tfl.layers.reshape({ targetShape: toChannelsLast(from), name: `${name}-image` }).apply(value.tensor!) as tfl.SymbolicTensor;
    const chw = tfl.layers.permute({ dims: [r, ...range(1, r)], name: `${name}-chw` }).apply(image) as tfl.SymbolicTensor;
    out = tfl.layers.reshape({ targetShape: [shape[0]!], name }).apply(chw) as tfl.SymbolicTensor;
  } else if (layout === 'cl') {
    out = tfl.layers.permute({ dims: [...range(2, rank + 1), 1], name }).apply(value.tensor!) as tfl.SymbolicTensor;
  } else {
    out = tfl.layers.permute({ dims: [rank, ...range(1, rank)], name }).apply(value.tensor!) as tfl.SymbolicTensor;
  }
  value.views.set(layout, out);
  return out;
}

const range = (from: number, to: number): number[] => Array.from({ length: Math.max(to - from, 0) }, (_, i) => from + i);

/** Checks that every declared IR weight is bound exactly once, to a variable of its size. */
function resolveBindings(graph: IrGraph, bindings: PendingBinding[], diagnostics: Diagnostic[]): BoundWeight[] {
  const out: BoundWeight[] = [];
  const fail = (node: IrNode, message: string) => diagnostics.push(diagnostic('E0900', `tfjs lowering of ${node.name}: ${message}`, node.span));
  const declared = declaredWeights(graph);
  for (const { name, spec, node } of declared) {
    const matches = bindings.filter((b) => b.node === node && b.ir === spec.name);
    if (matches.length !== 1) {
      fail(node, `weight '${spec.name}' is bound ${matches.length} times`);
      continue;
    }
    const b = matches[0]!;
    const variable = b.layer.weights[b.index];
    const size = spec.shape.reduce((a, d) => a * d, 1);
    const varSize = variable?.shape.reduce((a: number, d) => a * (d ?? 1), 1);
    if (size !== varSize) {
      fail(node, `weight '${spec.name}' has ${size} values, its variable ${varSize ?? 'does not exist'}`);
      continue;
    }
    out.push({
      name,
      shape: [...spec.shape],
      role: spec.role,
      layer: b.layer.name,
      index: b.index,
      ...(b.view ? { view: [...b.view] } : {}),
      ...(b.permute ? { permute: [...b.permute] } : {}),
    });
  }
  for (const b of bindings) {
    if (!declared.some((d) => d.node === b.node && d.spec.name === b.ir)) fail(b.node, `binds undeclared weight '${b.ir}'`);
  }
  return out;
}
