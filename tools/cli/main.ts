// The archc command line. Each command lives in tools/cli/commands/<name>.ts, listed with its
// summary in commands/index.ts. Exit codes: 0 success, 1 the model has errors, 2 usage or I/O problems.
import { findCommand, usage } from './commands/index.js';
import { UsageError } from './args.js';
import type { Command } from './commands/common.js';
import { missingEngineMessage } from '../../engines/optional.js';

export async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(await usage());
    return name ? 0 : 2;
  }
  if (name === '--version' || name === '-v') {
    const { version } = await import('./version.js');
    process.stdout.write(`archc ${version}\n`);
    return 0;
  }
  const load = findCommand(name);
  if (!load) {
    process.stderr.write(`archc: unknown command '${name}'\n\n${await usage()}`);
    return 2;
  }
  let command: Command;
  try {
    command = await load();
  } catch (e) {
    return missingEngine(name, e);
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`usage: ${command.usage}\n`);
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`archc ${name}: ${e.message}\n${e.showUsage ? `usage: ${command.usage}\n` : ''}`);
      return 2;
    }
    return missingEngine(name, e);
  }
}

/** An optional engine that is not installed is a usage problem (exit 2) with its install line; anything else is a bug. */
function missingEngine(name: string, error: unknown): number {
  const message = missingEngineMessage(error);
  if (!message) throw error;
  process.stderr.write(`archc ${name}: ${message}\n`);
  return 2;
}
