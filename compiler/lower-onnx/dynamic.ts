// The ONNX export of a size-generic model (`input image: [3, H, W] = [3, 224, 224]`): the input keeps
// H and W as named dynamic dims (`float[N,3,H,W]`), so that one file runs at every size the model's
// derived constraints admit. The model is compiled and lowered at two more admissible sizes and
// generalize.ts turns the differences into dynamic dims and shape computations. Where it cannot
// (an op that writes a size into an attribute, a graph that changes with the size, a size the
// analysis cannot follow), the export keeps the fixed sizes and a warning W0110 says which op and why.
import { diagnostic, type Diagnostic } from '../diagnostics.js';
import type { IrGraph, IrNode } from '../ir.js';
import { probeGraphs, type Refusal, type SizeGeneric } from '../symbolic/probes.js';
import type { Weights } from '../weights/tensor.js';
import { generalize, type Lowered } from './generalize.js';
import type { ModelProto } from './proto.js';
import { lowerToOnnx, type LowerResult, type OnnxExportOptions } from './lower.js';
import { fileSpan } from '../weights/check.js';

export type { SizeGeneric } from '../symbolic/probes.js';

/** Lowers with dynamic sizes where the model allows; otherwise as lowerToOnnx does, plus a warning W0110. */
export function lowerSizeGeneric(graph: IrGraph, weights: Weights, options: OnnxExportOptions, sizes: SizeGeneric): LowerResult {
  const base = lowerToOnnx(graph, weights, options);
  if (!base.model || !base.origins || !base.tensors || !graph.sizes?.length) return base;
  const outcome = generic(graph, weights, options, sizes, { model: base.model, origins: base.origins, tensors: base.tensors });
  if ('refused' in outcome) return { ...base, diagnostics: [...base.diagnostics, fixedSizeWarning(graph, outcome.refused)] };
  const model = outcome.model;
  const names = sizes.analysis.variables.map((v) => v.name).join(', ');
  model.metadataProps = [
    ...(model.metadataProps ?? []).filter((p) => p.key !== 'layout'),
    { key: 'layout', value: `NCHW; batch axis N and size variables ${names} are dynamic` },
    { key: 'input_sizes', value: sizes.analysis.validity },
  ];
  return { ...base, model };
}

function generic(graph: IrGraph, weights: Weights, options: OnnxExportOptions, sizes: SizeGeneric, base: Lowered): { model: ModelProto } | { refused: Refusal } {
  const probed = probeGraphs(graph, sizes);
  if ('refused' in probed) return probed;
  const probes = probed.graphs.map((g) => lowerToOnnx(g, weights, options));
  const failed = probes.find((p) => !p.model);
  if (failed) return { refused: { node: undefined, reason: failed.diagnostics[0]?.message ?? 'the lowering fails at another size' } };
  // A dim of a node's output is named by the analysis's symbolic size (`H/4`, `(H+1)//2`).
  const nameOf = (node: IrNode, axis: number) => {
    const d = sizes.analysis.shapes[node.id]?.[axis];
    return typeof d === 'string' ? d.replace(/ /g, '') : undefined;
  };
  return generalize(base, probes.map((p) => p.model!), nameOf);
}

function fixedSizeWarning(graph: IrGraph, r: Refusal): Diagnostic {
  const inputs = graph.inputs.filter((i) => graph.sizes!.some((v) => v.input === i.name));
  const fixed = inputs.map((i) => `${i.name} [${graph.nodes[i.node]!.shape.join(', ')}]`).join(', ');
  const what = r.node ? `${r.node.op} ${r.node.name}` : 'the model';
  const span = r.node?.span ?? fileSpan(graph.file);
  const related = (r.node?.callStack ?? []).map((s) => ({ span: s, message: 'in a block called here' }));
  return diagnostic('W0110', `the ONNX export keeps fixed input sizes (${fixed}): ${what} is not size-generic in ONNX: ${r.reason}`, span, {
    related,
    hint: 'export once per size with --input NAME=CxHxW, or --fixed-size to ask for fixed sizes without this warning',
  });
}
