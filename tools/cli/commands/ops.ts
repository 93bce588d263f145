// archc ops: the primitive op reference, generated from the registry (never written by hand).
import { ops } from '../../../compiler/ops/registry.js';
import type { OpDef } from '../../../compiler/ops/op.js';
import { parseArgs } from '../args.js';
import type { Command } from './common.js';

export const opsCommand: Command = {
  usage: 'archc ops [NAME...] [--markdown]',
  async run(argv) {
    const parsed = parseArgs(argv, { markdown: { type: 'boolean' } });
    const names = parsed.positionals.length ? parsed.positionals : Object.keys(ops);
    const unknown = names.filter((n) => !Object.hasOwn(ops, n));
    if (unknown.length) {
      process.stderr.write(`archc ops: unknown op ${unknown.map((u) => `'${u}'`).join(', ')}\n`);
      return 2;
    }
    const defs = names.map((n) => (ops as Record<string, OpDef>)[n]!);
    process.stdout.write(parsed.flags['markdown'] ? markdownTable(defs) : defs.map(signature).join('\n') + '\n');
    return 0;
  },
};

function signature(op: OpDef): string {
  const inputs = op.arity.max === Infinity ? 'x...' : op.arity.max === 1 ? 'x' : ['a', 'b', 'c'].slice(0, op.arity.max).join(', ');
  const args = Object.entries(op.params).map(([k, p]) => (p.default === undefined ? k : `${k}=${p.default === null ? "none" : JSON.stringify(p.default)}`));
  return `${op.kind}(${[...(op.arity.max === 0 ? [] : [inputs]), ...args].join(', ')})`.padEnd(64) + `  ${op.summary}`;
}

function markdownTable(defs: OpDef[]): string {
  const rows = defs.map((op) => `| \`${signature(op).split('  ')[0]!.trim()}\` | ${op.summary} | ${op.weights ? 'yes' : ''} |`);
  return ['| op | what it does | weights |', '|---|---|---|', ...rows, ''].join('\n');
}
