// The ONNX export of a size-generic model (`input image: [3, H, W] = [3, 224, 224]`): the input keeps
// H and W as named dynamic dims (`float[N,3,H,W]`), so that one file runs at every size the model's
// derived constraints admit. The model is compiled and lowered at two more admissible sizes and
// generalize.ts turns the differences into dynamic dims and shape computations. Where it cannot
// (an op that writes a size into an attribute, a graph that changes with the size, a size the
// analysis cannot follow), the export keeps the fixed sizes and a warning W0110 says which op and why.
import { diagnostic, type Diagnostic } from '../diagnostics.js';
import type { IrGraph } from '../ir.js';
import type { SizeAnalysis } from '../symbolic/index.js';
import type { Weights } from '../weights/tensor.js';
import { generalize, type Lowered, type Refusal } from './generalize.js';
import { lowerToOnnx, type LowerResult, type OnnxExportOptions } from './lower.js';
import { fileSpan } from '../weights/check.js';

export interface SizeGeneric {
  /** The compiler's analysis of the size variables at the graph's sizes. */
  readonly analysis: SizeAnalysis;
  /** The same model compiled with these inputs replaced (the others as they are), or undefined if it fails. */
  compileAt(inputs: Readonly<Record<string, readonly number[]>>): IrGraph | undefined;
}

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

function generic(graph: IrGraph, weights: Weights, options: OnnxExportOptions, sizes: SizeGeneric, base: Lowered) {
  const a = sizes.analysis;
  if (a.opaque.length > 0) {
    const o = a.opaque[0]!;
    return { refused: { node: graph.nodes.find((n) => n.name === o.node), reason: o.reason } };
  }
  const pinned = a.solutions.find((s) => s.finite);
  if (pinned) {
    const because = pinned.minBecause;
    const node = because && graph.nodes.find((n) => n.span === because.span);
    return { refused: { node, reason: `only finitely many values of ${pinned.name} work${because ? ` (${because.why})` : ''}` } };
  }
  const graphs: IrGraph[] = [graph];
  for (const probe of probeSizes(a)) {
    const inputs: Record<string, number[]> = {};
    for (const v of graph.sizes!) {
      const i = graph.inputs.find((x) => x.name === v.input)!;
      inputs[v.input] ??= [...graph.nodes[i.node]!.shape];
      inputs[v.input]![v.axis] = probe[v.name]!;
    }
    const other = sizes.compileAt(inputs);
    const at = Object.entries(probe).map(([k, v]) => `${k} = ${v}`).join(', ');
    if (!other) return { refused: { reason: `the model does not compile at ${at}` } };
    const differs = graph.nodes.findIndex((n, k) => other.nodes[k]?.op !== n.op || other.nodes[k]?.name !== n.name);
    if (differs >= 0 || other.nodes.length !== graph.nodes.length) {
      return { refused: { node: graph.nodes[differs >= 0 ? differs : graph.nodes.length - 1], reason: `the graph at ${at} differs from the default's here` } };
    }
    graphs.push(other);
  }
  const probes = graphs.slice(1).map((g) => lowerToOnnx(g, weights, options));
  const failed = probes.find((p) => !p.model);
  if (failed) return { refused: { node: undefined, reason: failed.diagnostics[0]?.message ?? 'the lowering fails at another size' } };
  // A dim of a node's output is named by the analysis's symbolic size (`H/4`, `(H+1)//2`).
  const nameOf = (node: IrGraph['nodes'][number], axis: number) => {
    const d = a.shapes[node.id]?.[axis];
    return typeof d === 'string' ? d.replace(/ /g, '') : undefined;
  };
  return generalize(base, probes.map((p) => p.model!), nameOf);
}

/**
 * Two admissible sizes per variable above the default, each variable moved by different amounts
 * (so that a dim of H and a dim of W do not take the same values at all three sizes by chance) and
 * odd ones where the constraints allow (so that `2*(H//2)` and `H` differ at one of them).
 */
export function probeSizes(a: SizeAnalysis): Record<string, number>[] {
  return [1, 2].map((k) =>
    Object.fromEntries(
      a.variables.map((v, i) => {
        const s = a.solutions.find((x) => x.name === v.name)!;
        let value = v.value + k * 16 * (3 + 2 * i) + (2 * k - 1) * (2 * i + 1);
        while (!s.admits(value)) value++;
        return [v.name, value];
      }),
    ),
  );
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
