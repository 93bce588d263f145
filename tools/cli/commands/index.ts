// The command table: one line per command with its one-line summary, each loaded on demand so that
// `archc check` and `archc --help` start without TensorFlow.js (train, eval, predict) or the ONNX
// encoder (export).
import type { Command } from './common.js';

export const commands: Record<string, { readonly summary: string; readonly load: () => Promise<Command> }> = {
  check: { summary: 'report every error and warning in .arch files', load: async () => (await import('./check.js')).check },
  summary: { summary: 'print layers, shapes, parameters, MACs and memory', load: async () => (await import('./summary.js')).summary },
  list: { summary: 'list the zoo models with their parameter counts', load: async () => (await import('./list.js')).list },
  fmt: { summary: 'print .arch files in canonical form (--write rewrites them, --check lists changes)', load: async () => (await import('./fmt.js')).fmt },
  ops: { summary: 'list the primitive ops with their arguments', load: async () => (await import('./ops.js')).opsCommand },
  export: { summary: 'write the model as ONNX or a PyTorch module (or its weights as safetensors)', load: async () => (await import('./export.js')).exportCommand },
  import: { summary: 'bring an ONNX model in as readable .arch text, with its weights', load: async () => (await import('./import.js')).importCommand },
  train: { summary: 'train a model on an image folder (or synthetic images) with TensorFlow.js or PyTorch', load: async () => (await import('./train.js')).train },
  eval: { summary: 'measure a trained model on labelled images: accuracy, per-class F1, confusion matrix', load: async () => (await import('./eval.js')).evalCommand },
  predict: { summary: 'print the top classes of images under a trained model', load: async () => (await import('./predict.js')).predict },
  explain: { summary: 'show where in an image a trained network finds a class: Grad-CAM, saliency, integrated gradients', load: async () => (await import('./explain.js')).explain },
  features: { summary: "draw a layer's feature maps for an image (or the first layer's kernels) as a grid", load: async () => (await import('./features.js')).features },
  graph: { summary: 'draw the model as a diagram (svg, dot or mermaid), blocks folded to a depth', load: async () => (await import('./graph.js')).graph },
  playground: { summary: 'serve the browser playground (editor, summary, graph, run) on 127.0.0.1', load: async () => (await import('./playground.js')).playground },
  lsp: { summary: 'the language server for editors (LSP over stdio)', load: async () => (await import('./lsp.js')).lsp },
};

/** The command, or undefined for a name that is not one (`archc toString` included). */
export const findCommand = (name: string): (() => Promise<Command>) | undefined => (Object.hasOwn(commands, name) ? commands[name]!.load : undefined);

/** The top-level help: the summaries are here, so that it loads no command (nor TensorFlow.js). */
export async function usage(): Promise<string> {
  const summaries = Object.values(commands).map((c) => c.summary);
  const width = Math.max(...Object.keys(commands).map((k) => k.length));
  return `archc — a compiler for neural-network architectures written as text

usage: archc <command> [options]

${Object.keys(commands).map((k, i) => `  ${k.padEnd(width)}  ${summaries[i]}`).join('\n')}

Run 'archc <command> --help' for a command's options.
`;
}
