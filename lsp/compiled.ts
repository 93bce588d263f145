// A compile's outcome as the editor features read it, in plain data (it crosses worker boundaries):
// per model its nodes with their shapes (symbolic where the model has size variables) and its layer
// counts. Shared by the language server and the browser playground, so both show the same hovers.
import type { CompileResult } from '../compiler/compile.js';
import type { Diagnostic } from '../compiler/diagnostics.js';
import type { IrGraph, IrNode } from '../compiler/ir.js';
import type { LayerReport, ModelReport } from '../compiler/report.js';
import type { SizeAnalysis } from '../compiler/symbolic/index.js';
import { indexShapes, type ShapeIndex } from './shapes.js';

/** What the editor features read of an IR node (the rest stays in the worker: less to copy). */
export type NodeView = Pick<IrNode, 'id' | 'name' | 'op' | 'shape' | 'span' | 'callStack'> & {
  /** With size variables: the shape in terms of them (`[64, 'H/2', 'W/2']`); `shape` is at the defaults. */
  symbolic?: readonly (number | string)[];
};
export type LayerView = Pick<LayerReport, 'name' | 'params' | 'buffers' | 'macs'>;

export interface CompiledModel {
  readonly name: string;
  readonly nodes?: readonly NodeView[];
  readonly report?: Omit<ModelReport, 'layers'> & { readonly layers: readonly LayerView[] };
  /** The model's size variables at their defaults and the sizes it takes ("valid for H, W ≥ 32"). */
  readonly sizes?: { readonly variables: readonly { readonly name: string; readonly value: number }[]; readonly validity: string };
}

export interface CompileOutcome {
  readonly id: number;
  readonly diagnostics: readonly Diagnostic[];
  readonly models: readonly CompiledModel[];
}

/** What the features look up in: the outcome with each model's shapes indexed and its layers by name. */
export interface Compiled {
  readonly text: string;
  readonly outcome: CompileOutcome;
  readonly models: readonly { name: string; shapes?: ShapeIndex; layers: ReadonlyMap<string, LayerView> }[];
}

/** One model's view, with symbolic shapes when it has size variables. */
export function modelView(name: string, result: CompileResult): CompiledModel {
  const { graph, report } = result;
  const sizes = sizeAnalysis(result);
  const nodes = graph && viewNodes(graph);
  if (nodes && sizes) for (const node of nodes) node.symbolic = sizes.shapes[node.id];
  return {
    name,
    nodes,
    report: report && { ...report, layers: report.layers.map(({ name, params, buffers, macs }) => ({ name, params, buffers, macs })) },
    sizes: sizes && { variables: sizes.variables, validity: sizes.validity },
  };
}

export function compiledView(text: string, outcome: CompileOutcome): Compiled {
  const models = outcome.models.map((m) => ({
    name: m.name,
    shapes: m.nodes && indexShapes(m.nodes),
    layers: new Map((m.report?.layers ?? []).map((l) => [l.name, l])),
  }));
  return { text, outcome, models };
}

/** The size analysis (run on first access of `sizes`); a bug in it costs the symbolic shapes, not the outcome. */
function sizeAnalysis(result: CompileResult): SizeAnalysis | undefined {
  try {
    return result.sizes;
  } catch {
    return undefined;
  }
}

const viewNodes = (graph: IrGraph): NodeView[] => graph.nodes.map(({ id, name, op, shape, span, callStack }) => ({ id, name, op, shape, span, callStack }));
