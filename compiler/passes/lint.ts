// lint: warnings that need the whole graph (who consumes a tensor), not just one op.
import { diagnostic, type Diagnostic } from '../diagnostics.js';
import type { IrGraph } from '../ir.js';
import type { ConvAttrs } from '../ops/conv.js';
import { sizeWarning } from '../weights/footprint.js';

/** `weightBytes`: the weights' total when already counted (count.ts), so that it is not summed twice. */
export function lint(graph: IrGraph, weightBytes?: number): Diagnostic[] {
  const out: Diagnostic[] = [];
  // How many nodes read each tensor, and the last that does: all the rule needs, in two flat
  // arrays (no list per node: a 200,000-node model would allocate 200,000 of them).
  const uses = new Int32Array(graph.nodes.length);
  const reader = new Int32Array(graph.nodes.length);
  for (const n of graph.nodes) {
    for (const i of n.inputs) {
      uses[i]!++;
      reader[i] = n.id;
    }
  }
  for (const n of graph.nodes) {
    if (n.op !== 'conv' || !(n.attrs as ConvAttrs).bias || n.written.includes('bias')) continue;
    const next = [reader[n.id]!];
    if (uses[n.id] === 1 && graph.nodes[next[0]!]!.op === 'bn') {
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
  const big = sizeWarning(graph, weightBytes);
  if (big) out.push(big);
  return out;
}

