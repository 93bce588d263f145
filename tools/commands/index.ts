// The command table: one line per command.
import type { Command } from './common.js';
import { check } from './check.js';
import { summary } from './summary.js';
import { list } from './list.js';
import { fmt } from './fmt.js';
import { opsCommand } from './ops.js';
import { train } from './train.js';
import { predict } from './predict.js';
import { evalCommand } from './eval.js';

export const commands: Record<string, Command> = {
  check,
  summary,
  list,
  fmt,
  ops: opsCommand,
  train,
  eval: evalCommand,
  predict,
};

export function usage(): string {
  const width = Math.max(...Object.keys(commands).map((k) => k.length));
  return `archc — a compiler for neural-network architectures written as text

usage: archc <command> [options]

${Object.entries(commands).map(([k, c]) => `  ${k.padEnd(width)}  ${c.summary}`).join('\n')}

Run 'archc <command> --help' for a command's options.
`;
}
