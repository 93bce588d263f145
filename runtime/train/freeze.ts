// Freezing by block name for transfer learning: `--freeze layer1,layer2.0` marks every
// IR node at or under those dotted paths frozen, exactly as `frozen { }` in the DSL does, before
// the graph is lowered (the runtime makes frozen nodes' layers non-trainable).
import type { IrGraph, IrNode } from '../../compiler/ir.js';
import { declaredWeights } from '../../compiler/weights/tensor.js';

export type FreezeResult =
  | { readonly ok: true; readonly graph: IrGraph; readonly frozenNodes: number; readonly frozenParams: number }
  | { readonly ok: false; readonly message: string; readonly hint?: string };

const within = (node: IrNode, path: string): boolean => node.name === path || node.name.startsWith(`${path}.`);

export function freezeBlocks(graph: IrGraph, paths: readonly string[]): FreezeResult {
  for (const path of paths) {
    if (!graph.nodes.some((n) => n.op !== 'input' && within(n, path))) {
      return { ok: false, message: `--freeze ${path}: no layer or block of ${graph.model} is called that`, hint: suggest(graph, path) };
    }
  }
  const freezes = (n: IrNode) => n.op !== 'input' && !n.frozen && paths.some((p) => within(n, p));
  const nodes = graph.nodes.map((n) => (freezes(n) ? { ...n, frozen: true } : n));
  const frozen = new Set(nodes.filter((n) => n.frozen).map((n) => n.id));
  const frozenGraph = { ...graph, nodes };
  const learnable = declaredWeights(frozenGraph).filter((w) => w.spec.role === 'learnable');
  const size = (w: (typeof learnable)[number]) => w.spec.shape.reduce((x, d) => x * d, 1);
  const frozenParams = learnable.filter((w) => frozen.has(w.node.id)).reduce((a, w) => a + size(w), 0);
  if (learnable.every((w) => frozen.has(w.node.id))) {
    return { ok: false, message: `--freeze ${paths.join(',')} freezes every learnable parameter of ${graph.model}: nothing would train`, hint: 'freeze the backbone only, and leave the head (e.g. fc) to train' };
  }
  return { ok: true, graph: frozenGraph, frozenNodes: frozen.size, frozenParams };
}

/** The block names one level up from the closest match: "layer1, layer2, layer3, ..." */
function suggest(graph: IrGraph, path: string): string {
  const parent = path.includes('.') ? path.slice(0, path.lastIndexOf('.') + 1) : '';
  const names = new Set<string>();
  for (const n of graph.nodes) {
    if (n.op === 'input' || !n.name.startsWith(parent)) continue;
    names.add(parent + n.name.slice(parent.length).split('.')[0]!);
  }
  const list = [...names];
  const shown = list.slice(0, 12).join(', ');
  if (list.length === 0) return 'see `archc summary` for the layer names';
  const where = parent ? ` under ${parent.slice(0, -1)}` : '';
  return `names${where}: ${shown}${list.length > 12 ? `, ... (${list.length} in all)` : ''}`;
}
