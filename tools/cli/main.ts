// The archc command line. Each command lives in tools/commands/<name>.ts and registers one line
// here. Exit codes: 0 success, 1 the model has errors, 2 usage or I/O problems.
import { findCommand, usage } from './commands/index.js';
import { UsageError } from './args.js';

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
  const command = await load();
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`usage: ${command.usage}\n`);
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`archc ${name}: ${e.message}\nusage: ${command.usage}\n`);
      return 2;
    }
    throw e;
  }
}
