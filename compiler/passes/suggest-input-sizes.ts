// suggest-input-sizes: when two paths meet (concat, add) with different spatial sizes, the cause is
// often the model's input size (a U-Net input not divisible by 2^depth). Recompile with nearby
// input sizes to find the closest ones that make this merge work, and say so in the diagnostic.
import type { Diagnostic } from '../diagnostics.js';
import type { IrGraph } from '../ir.js';

/** Recompiles with other input shapes and returns the resulting diagnostics. */
export type Recompile = (inputs: Record<string, number[]>) => readonly Diagnostic[];

/** Sizes tried each way per axis set: ±16 finds the nearest multiple of 32 (a 5-level U-Net) and
 * keeps the search to at most ~100 recompiles, well under a second. */
const SEARCH = 16;

export function suggestInputSizes(d: Diagnostic, graph: IrGraph, recompile: Recompile): Diagnostic {
  // A trial size works only if no shape or merge error appears anywhere: checking this merge alone
  // would accept a size that fails at an earlier merge (this one is then never reached).
  const fails = (ds: readonly Diagnostic[]) => ds.some((x) => x.severity === 'error' && (x.code.startsWith('E03') || x.code.startsWith('E04')));
  for (const input of graph.inputs) {
    const shape = graph.nodes[input.node]!.shape;
    const spatial = shape.length - 1;
    if (spatial < 1) continue;
    // Try the axes one at a time (height, then width...), then all spatial axes together.
    const axes: number[][] = [...Array.from({ length: spatial }, (_, i) => [i + 1]), Array.from({ length: spatial }, (_, i) => i + 1)];
    for (const axisSet of axes) {
      const size = shape[axisSet[0]!]!;
      if (axisSet.some((a) => shape[a] !== size)) continue;
      const works = (candidate: number): boolean => {
        if (candidate <= 0) return false;
        const trial = [...shape];
        for (const a of axisSet) trial[a] = candidate;
        return !fails(recompile({ [input.name]: trial }));
      };
      let below: number | undefined;
      let above: number | undefined;
      for (let step = 1; step <= SEARCH && (below === undefined || above === undefined); step++) {
        if (below === undefined && works(size - step)) below = size - step;
        if (above === undefined && works(size + step)) above = size + step;
      }
      if (below === undefined && above === undefined) continue;
      const axisName = axisSet.length > 1 ? 'size' : ['height', 'width'][axisSet[0]! - (spatial === 2 ? 1 : spatial === 3 ? 0 : 1)] ?? 'size';
      const what = `input '${input.name}' ${axisSet.length > 1 || spatial === 1 ? 'size' : axisName}`;
      const options = [below, above].filter((x): x is number => x !== undefined);
      const period = below !== undefined && above !== undefined ? above - below : undefined;
      const divisible = period !== undefined && period > 1 && below! % period === 0 && size % period !== 0;
      const reason = divisible ? `the ${what} ${size} is not divisible by ${period}` : `the ${what} ${size} does not fit this network`;
      const hint = `${reason}; ${options.join(' or ')} would work (e.g. --input ${input.name}=${suggestShape(shape, axisSet, options[0]!)})`;
      return { ...d, notes: [...d.notes, `cause: ${reason}`], hint };
    }
  }
  return d;
}

function suggestShape(shape: readonly number[], axes: number[], size: number): string {
  const s = [...shape];
  for (const a of axes) s[a] = size;
  return s.join('x');
}
