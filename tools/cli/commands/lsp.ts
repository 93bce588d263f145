// archc lsp: the language server, speaking LSP over stdin/stdout (editors start it; see
// docs/editors.md). `--stdio` is accepted because clients such as VS Code's pass it.
import { parseArgs, UsageError } from '../args.js';
import type { Command } from './common.js';

export const lsp: Command = {
  usage: `archc lsp [--stdio]
      --stdio             talk LSP over stdin/stdout (the default and only transport)`,
  async run(argv) {
    const parsed = parseArgs(argv, { stdio: { type: 'boolean' } });
    if (parsed.positionals.length) throw new UsageError(`lsp takes no files (the editor sends them), got '${parsed.positionals[0]}'`);
    // The server must outlive a bug in one request: report it on stderr (the editor's log).
    process.on('uncaughtException', (e) => process.stderr.write(`archc lsp: internal error (a bug in archc): ${e.stack ?? e}\n`));
    const { startServer } = await import('../../../lsp/server.js');
    startServer();
    return new Promise<number>(() => {}); // runs until the editor ends it (exit notification)
  },
};
