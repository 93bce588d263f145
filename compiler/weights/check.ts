// Checks a set of named weights against what a graph declares: every weight present, none extra,
// every shape equal. Problems are diagnostics located at the op that declares the weight.
import type { Span } from '../../dsl/source.js';
import { closestMatch, diagnostic, type Diagnostic } from '../diagnostics.js';
import { formatShape, type IrGraph } from '../ir.js';
import { declaredWeights, sameShape, type Weights } from './tensor.js';

/** At most this many diagnostics of each kind; the last one counts the rest. */
const MAX_PER_KIND = 10;

/** A span standing for a whole file that has no source text (a weights file). */
export const fileSpan = (file: string): Span => ({ file, start: { line: 1, col: 1, offset: 0 }, end: { line: 1, col: 1, offset: 0 } });

/** `origin` names the weights' source in messages (a file path). */
export function checkWeights(graph: IrGraph, weights: Weights, origin: string): Diagnostic[] {
  const declared = declaredWeights(graph);
  const names = new Set(declared.map((d) => d.name));
  const missing: Diagnostic[] = [];
  const misShaped: Diagnostic[] = [];
  for (const { name, spec, node } of declared) {
    const related = node.callStack.map((span) => ({ span, message: 'in a block called here' }));
    const found = weights.get(name);
    if (!found) {
      const near = closestMatch(name, [...weights.keys()].filter((k) => !names.has(k)));
      missing.push(
        diagnostic('E0702', `weight '${name}' ${formatShape(spec.shape)} is not in ${origin}`, node.span, {
          related,
          hint: near
            ? `${origin} has '${near}': rename it, or export the weights from this model`
            : 'export the weights from this model (archc export --format safetensors)',
        }),
      );
    } else if (!sameShape(found.shape, spec.shape)) {
      misShaped.push(
        diagnostic('E0704', `weight '${name}' is ${formatShape(found.shape)} in ${origin}, but the model declares ${formatShape(spec.shape)}`, node.span, {
          related,
          notes: [`${count(found.shape)} values in the file vs ${count(spec.shape)} declared`],
        }),
      );
    }
  }
  const extra = [...weights.keys()].filter((k) => !names.has(k));
  const extras = extra.map((k) => {
    const near = closestMatch(k, [...names].filter((n) => !weights.has(n)));
    const message = `${origin} has a tensor '${k}' ${formatShape(weights.get(k)!.shape)} that the model does not declare`;
    return diagnostic('E0703', message, fileSpan(origin), {
      hint: near ? `the model has '${near}' instead` : 'remove it, or check that the file belongs to this model',
    });
  });
  return [...capped(missing, 'missing weights'), ...capped(misShaped, 'mis-shaped weights'), ...capped(extras, 'extra tensors')];
}

const count = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1).toLocaleString('en-US');

function capped(ds: Diagnostic[], what: string): Diagnostic[] {
  if (ds.length <= MAX_PER_KIND) return ds;
  const kept = ds.slice(0, MAX_PER_KIND);
  const last = kept[kept.length - 1]!;
  kept[kept.length - 1] = { ...last, notes: [...last.notes, `and ${ds.length - MAX_PER_KIND} more ${what} not shown`] };
  return kept;
}

/**
 * Tensors holding NaN or infinite values, with how many: a diverged training run or a broken
 * conversion. A warning where weights are only passed on (export), named so the user can look.
 */
export function nonFiniteWeights(weights: Weights, origin: string): Diagnostic | undefined {
  const bad: string[] = [];
  for (const [name, tensor] of weights) {
    let n = 0;
    for (const v of tensor.data) if (!Number.isFinite(v)) n++;
    if (n > 0) bad.push(`'${name}' (${n.toLocaleString('en-US')} of ${tensor.data.length.toLocaleString('en-US')} values)`);
  }
  if (bad.length === 0) return undefined;
  const shown = bad.length > MAX_PER_KIND ? [...bad.slice(0, MAX_PER_KIND), `and ${bad.length - MAX_PER_KIND} more tensors`] : bad;
  return diagnostic('W0108', `${origin} holds NaN or infinite values: ${shown.join(', ')}`, fileSpan(origin), {
    hint: 'a model with such weights computes NaN; retrain from a checkpoint before the loss diverged, or check the conversion',
  });
}
