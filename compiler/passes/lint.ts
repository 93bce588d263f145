// lint: warnings that need the whole graph (who consumes a tensor), not just one op.
import { diagnostic, type Diagnostic } from '../diagnostics.js';
import type { IrGraph } from '../ir.js';
import type { ConvAttrs } from '../ops/conv.js';
import { sizeWarning } from '../weights/footprint.js';

export function lint(graph: IrGraph): Diagnostic[] {
  const out: Diagnostic[] = [];
  const consumers = new Map<number, number[]>();
  // Appended in place: one tensor feeding 20,000 nodes would otherwise be copied 20,000 times.
  for (const n of graph.nodes) {
    for (const i of n.inputs) {
      const list = consumers.get(i);
      if (list) list.push(n.id);
      else consumers.set(i, [n.id]);
    }
  }
  for (const n of graph.nodes) {
    if (n.op !== 'conv' || !(n.attrs as ConvAttrs).bias || n.written.includes('bias')) continue;
    const next = consumers.get(n.id) ?? [];
    if (next.length === 1 && graph.nodes[next[0]!]!.op === 'bn') {
      out.push(
        diagnostic('W0101', `conv bias is redundant before batch norm: bn subtracts the mean, bias and all`, n.span, {
          related: [
            { span: graph.nodes[next[0]!]!.span, message: 'the batch norm that follows' },
            ...n.callStack.map((s) => ({ span: s, message: 'in a block called here', callSite: true })),
          ],
          hint: 'write bias=false (or bias=true to keep it on purpose, as Keras models do)',
        }),
      );
    }
  }
  const big = sizeWarning(graph);
  if (big) out.push(big);
  return out;
}

