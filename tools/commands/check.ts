// archc check <file|zoo-name>...: compile each target and print its diagnostics.
import { parseArgs, UsageError } from '../args.js';
import { diagnosticsJson } from '../json.js';
import { compileFlags, compileFlagsUsage, compileOptions, compileTarget, isIoFailure, printDiagnostics, type Command } from './common.js';

export const check: Command = {
  summary: 'report every error and warning in .arch files',
  usage: `archc check <file|zoo-name>... [--json]
${compileFlagsUsage}
      --json              print the diagnostics as JSON`,
  async run(argv) {
    const parsed = parseArgs(argv, { ...compileFlags, json: { type: 'boolean' } });
    if (parsed.positionals.length === 0) throw new UsageError('check needs at least one file or zoo name');
    const options = compileOptions(parsed);
    let status = 0;
    const all = [];
    for (const target of parsed.positionals) {
      const result = compileTarget(target, options);
      if (parsed.flags['json']) all.push(...result.diagnostics);
      else printDiagnostics(result);
      if (isIoFailure(result)) status = 2;
      else if (!result.ok) status = Math.max(status, 1);
    }
    if (parsed.flags['json']) process.stdout.write(`${JSON.stringify(diagnosticsJson(all), null, 2)}\n`);
    return status;
  },
};
