// The same size-generic model at other admissible sizes. A target (ONNX, tfjs) that must not bake a
// size in compares what it makes at the default sizes with what it makes at these: whatever moves
// depends on the size. The graphs must have the same nodes; a model that branches on a size, a size
// the analysis cannot follow, or a variable only finitely many values satisfy is refused, with the
// node responsible when there is one.
import type { IrGraph, IrNode } from '../ir.js';
import type { SizeAnalysis } from './index.js';

/** What a size-generic target needs besides the graph: the analysis and a way to recompile. */
export interface SizeGeneric {
  /** The compiler's analysis of the size variables at the graph's sizes. */
  readonly analysis: SizeAnalysis;
  /** The same model compiled with these inputs replaced (the others as they are), or undefined if it fails. */
  compileAt(inputs: Readonly<Record<string, readonly number[]>>): IrGraph | undefined;
}

/** Why a model cannot be made size-generic, at the node responsible when known. */
export interface Refusal {
  readonly node?: IrNode;
  readonly reason: string;
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

/** The graph at the two probe sizes (same nodes as `graph`), or why there are none. */
export function probeGraphs(graph: IrGraph, sizes: SizeGeneric): { graphs: IrGraph[]; at: Record<string, number>[] } | { refused: Refusal } {
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
  const at = probeSizes(a);
  const graphs: IrGraph[] = [];
  for (const probe of at) {
    const inputs: Record<string, number[]> = {};
    for (const v of graph.sizes ?? []) {
      const i = graph.inputs.find((x) => x.name === v.input)!;
      inputs[v.input] ??= [...graph.nodes[i.node]!.shape];
      inputs[v.input]![v.axis] = probe[v.name]!;
    }
    const other = sizes.compileAt(inputs);
    const where = Object.entries(probe).map(([k, v]) => `${k} = ${v}`).join(', ');
    if (!other) return { refused: { reason: `the model does not compile at ${where}` } };
    const differs = graph.nodes.findIndex((n, k) => other.nodes[k]?.op !== n.op || other.nodes[k]?.name !== n.name);
    if (differs >= 0 || other.nodes.length !== graph.nodes.length) {
      return { refused: { node: graph.nodes[differs >= 0 ? differs : graph.nodes.length - 1], reason: `the graph at ${where} differs from the default's here` } };
    }
    graphs.push(other);
  }
  return { graphs, at };
}
