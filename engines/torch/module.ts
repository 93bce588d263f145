// The model as PyTorch code for the torch worker: the module that `archc export --format pytorch`
// writes (compiler/lower-pytorch), whose state_dict keys are archc's weight names. It is written
// for the graph as compiled (--set and --input applied), so its class takes no arguments here.
import { basename } from 'node:path';
import type { IrGraph } from '../../compiler/ir.js';
import { lowerPytorch } from '../../compiler/lower-pytorch/lower.js';

export interface TorchModule {
  /** The Python source of the module file. */
  readonly source: string;
  /** The nn.Module class that builds the whole model. */
  readonly className: string;
  /** Constructor arguments (none: the compiled values are the defaults). */
  readonly kwargs: Readonly<Record<string, unknown>>;
}

export type ModuleResult = { ok: true; module: TorchModule } | { ok: false; message: string };

/** The PyTorch module of `graph`, or why it cannot be written. */
export function torchModule(graph: IrGraph): ModuleResult {
  const lowered = lowerPytorch(graph, { source: basename(graph.file), producer: 'archc train --engine torch' });
  if (!lowered.code) {
    const reasons = lowered.diagnostics.map((d) => d.message).join('; ');
    return { ok: false, message: `${graph.model} cannot be written as a PyTorch module: ${reasons}` };
  }
  return { ok: true, module: { source: lowered.code, className: lowered.className, kwargs: {} } };
}
