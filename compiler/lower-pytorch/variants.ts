// The model compiled again at another value of each number parameter, for lowerPytorch to tell
// which numbers of the code follow which parameter (`nn.Linear(512, classes)`).
import { compile, type CompileOptions } from '../compile.js';
import type { IrGraph } from '../ir.js';
import type { CompileHost } from '../loader.js';

/**
 * One graph per number parameter of the compiled model, that parameter moved by a small odd step
 * (ints +3, floats +0.125) so that its value is unlikely to coincide with another number. A value
 * the model rejects (a group count that no longer divides) leaves that parameter fixed.
 */
export function pytorchVariants(path: string, host: CompileHost, options: CompileOptions, graph: IrGraph): { param: string; graph: IrGraph }[] {
  const out: { param: string; graph: IrGraph }[] = [];
  for (const [param, value] of Object.entries(graph.params ?? {})) {
    const moved = Number.isInteger(value) ? value + 3 : value + 0.125;
    const result = compile(path, host, { ...options, model: graph.model, params: { ...options.params, [param]: moved } });
    if (result.ok && result.graph) out.push({ param, graph: result.graph });
  }
  return out;
}
