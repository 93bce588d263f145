// The model as PyTorch code for the torch worker: the module that `archc export --format pytorch`
// writes (compiler/lower-pytorch), whose state_dict keys are archc's weight names.
import { readFileSync } from 'node:fs';
import type { IrGraph } from '../../compiler/ir.js';

export interface TorchModule {
  /** The Python source of the module file. */
  readonly source: string;
  /** The nn.Module class that builds the whole model. */
  readonly className: string;
  /** Constructor arguments (the model's parameters as compiled). */
  readonly kwargs: Readonly<Record<string, unknown>>;
}

export type ModuleResult = { ok: true; module: TorchModule } | { ok: false; message: string };

/** The PyTorch module of `graph`. */
export function torchModule(graph: IrGraph): ModuleResult {
  // Until compiler/lower-pytorch lands: a hand-written module file named by ARCHC_TORCH_MODULE.
  const file = process.env.ARCHC_TORCH_MODULE;
  if (!file) return { ok: false, message: `no PyTorch module for ${graph.model} yet` };
  return { ok: true, module: { source: readFileSync(file, 'utf8'), className: process.env.ARCHC_TORCH_CLASS ?? 'Model', kwargs: {} } };
}
