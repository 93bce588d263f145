// archc list: the zoo, one model a line with its learnable parameter count.
import { compile } from '../../../compiler/compile.js';
import { parseArgs } from '../args.js';
import { nodeHost, zooModels } from '../../../compiler/node-host.js';
import type { Command } from './common.js';

export const list: Command = {
  usage: `archc list [--json]`,
  async run(argv) {
    const parsed = parseArgs(argv, { json: { type: 'boolean' } });
    const rows = zooModels().map(([name, path]) => {
      const r = compile(path, nodeHost);
      return { name, params: r.report?.params.learnable ?? null, ok: r.ok };
    });
    if (parsed.flags['json']) process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    else {
      const width = Math.max(...rows.map((r) => r.name.length), 4);
      for (const r of rows) process.stdout.write(`${r.name.padEnd(width)}  ${r.params === null ? 'does not compile' : r.params.toLocaleString('en-US').padStart(13)}\n`);
    }
    return rows.every((r) => r.ok) ? 0 : 1;
  },
};
