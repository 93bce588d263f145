// How much memory a model's weights take, checked before anything allocates them: a typo such as
// dense(1000000) after a million-wide input declares 10^12 parameters, which `check` should warn
// about and `export`/`train` should refuse by name instead of failing inside a typed-array constructor.
import { diagnostic, type Diagnostic } from '../diagnostics.js';
import { formatShape, type IrGraph, type IrNode } from '../ir.js';
import { lookupOp } from '../ops/registry.js';
import { fileSpan } from './check.js';
import { weightName } from './tensor.js';

/** One tensor archc can hold: 2^30 float32 values (4 GiB). */
export const MAX_TENSOR_ELEMENTS = 2 ** 30;
/** All weights of a model that commands materialize: 8 GiB of float32. */
export const MAX_WEIGHT_BYTES = 8 * 2 ** 30;
/** `check` warns above this: 2 GiB is also the most an ONNX file can hold. */
export const WARN_WEIGHT_BYTES = 2 * 2 ** 30;

const gib = (bytes: number): string =>
  bytes >= 2 ** 30 ? `${(bytes / 2 ** 30).toFixed(1)} GiB` : bytes >= 2 ** 20 ? `${(bytes / 2 ** 20).toFixed(1)} MiB` : `${(bytes / 1024).toFixed(1)} KiB`;

/** The weights' total bytes and their three largest tensors (named only when asked: naming 300,000 weights costs). */
function footprint(graph: IrGraph, withLargest = true) {
  let bytes = 0;
  const largest: { name: string; shape: readonly number[]; node: IrNode; elements: number }[] = [];
  for (const node of graph.nodes) {
    const op = lookupOp(node.op);
    if (!op?.weights) continue;
    for (const spec of op.weights(node.attrs, node.inputs.map((i) => graph.nodes[i]!.shape))) {
      const elements = spec.shape.reduce((a, b) => a * b, 1);
      bytes += 4 * elements;
      if (!withLargest || (largest.length === 3 && elements <= largest[2]!.elements)) continue;
      largest.push({ name: weightName(node, spec.name), shape: spec.shape, node, elements });
      largest.sort((a, b) => b.elements - a.elements);
      if (largest.length > 3) largest.pop();
    }
  }
  return { bytes, largest };
}

const describeLargest = (largest: ReturnType<typeof footprint>['largest']): string[] =>
  largest.map((t) => `${t.name} ${formatShape(t.shape)}: ${gib(4 * t.elements)}`);

/** E0803 when the weights cannot be materialized (one tensor or all of them too large). */
export function materializeProblem(graph: IrGraph): Diagnostic | undefined {
  const { bytes, largest } = footprint(graph);
  const huge = largest[0] && largest[0].elements > MAX_TENSOR_ELEMENTS;
  if (!huge && bytes <= MAX_WEIGHT_BYTES) return undefined;
  const why = huge ? `'${largest[0]!.name}' alone holds more than ${MAX_TENSOR_ELEMENTS.toLocaleString('en-US')} values` : `the limit is ${gib(MAX_WEIGHT_BYTES)}`;
  return diagnostic('E0803', `the weights take ${gib(bytes)} as float32 and cannot be materialized: ${why}`, largest[0]?.node.span ?? fileSpan(graph.file), {
    notes: ['the largest tensors:', ...describeLargest(largest)],
    hint: 'check the sizes feeding the largest layer (a flatten before dense multiplies every dimension)',
  });
}

/** W0109 for `check`: the weights are larger than an ONNX file can hold. */
export function sizeWarning(graph: IrGraph, weightBytes?: number): Diagnostic | undefined {
  if ((weightBytes ?? footprint(graph, false).bytes) <= WARN_WEIGHT_BYTES) return undefined;
  const { bytes, largest } = footprint(graph);
  return diagnostic('W0109', `the weights take ${gib(bytes)} as float32, more than ${gib(WARN_WEIGHT_BYTES)}`, largest[0]?.node.span ?? fileSpan(graph.file), {
    notes: ['the largest tensors:', ...describeLargest(largest)],
    hint: 'ONNX files hold at most 2 GiB; export, train and predict refuse models above 8 GiB',
  });
}
