// The command table: one line per command, each loaded on demand so that `archc check` starts
// without TensorFlow.js (train, eval, predict) or the ONNX encoder (export).
import type { Command } from './common.js';

export const commands: Record<string, () => Promise<Command>> = {
  check: async () => (await import('./check.js')).check,
  summary: async () => (await import('./summary.js')).summary,
  list: async () => (await import('./list.js')).list,
  fmt: async () => (await import('./fmt.js')).fmt,
  ops: async () => (await import('./ops.js')).opsCommand,
  export: async () => (await import('./export.js')).exportCommand,
  train: async () => (await import('./train.js')).train,
  eval: async () => (await import('./eval.js')).evalCommand,
  predict: async () => (await import('./predict.js')).predict,
};

/** The command, or undefined for a name that is not one (`archc toString` included). */
export const findCommand = (name: string): (() => Promise<Command>) | undefined => (Object.hasOwn(commands, name) ? commands[name] : undefined);

/** The top-level help; it loads every command for its summary line. */
export async function usage(): Promise<string> {
  const summaries = await Promise.all(Object.values(commands).map(async (load) => (await load()).summary));
  const width = Math.max(...Object.keys(commands).map((k) => k.length));
  return `archc — a compiler for neural-network architectures written as text

usage: archc <command> [options]

${Object.keys(commands).map((k, i) => `  ${k.padEnd(width)}  ${summaries[i]}`).join('\n')}

Run 'archc <command> --help' for a command's options.
`;
}
