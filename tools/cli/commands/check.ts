// archc check <file|zoo-name>...: compile each target and print its diagnostics (many targets are
// checked on worker threads, see tools/cli/check/run.ts).
import { parseArgs, UsageError } from '../args.js';
import { checkAll } from '../check/run.js';
import { compileFlags, compileFlagsUsage, compileOptions, type Command } from './common.js';

export const check: Command = {
  usage: `archc check <file|zoo-name>... [--json]
${compileFlagsUsage}
      --json              print the diagnostics as JSON
  -j, --jobs N            threads to check many files on (default: by CPU count, at most 4)`,
  async run(argv) {
    const parsed = parseArgs(argv, { ...compileFlags, json: { type: 'boolean' }, jobs: { type: 'string', short: 'j' } });
    if (parsed.positionals.length === 0) throw new UsageError('check needs at least one file or zoo name');
    const json = parsed.flags['json'] === true;
    const jobs = parsed.flags['jobs'] === undefined ? undefined : Number(parsed.flags['jobs']);
    if (jobs !== undefined && !(Number.isInteger(jobs) && jobs >= 1)) throw new UsageError(`--jobs needs a whole number of threads, got '${parsed.flags['jobs']}'`);
    const color = process.stderr.isTTY === true && !process.env['NO_COLOR'];
    const outcomes = await checkAll({ targets: parsed.positionals, options: compileOptions(parsed), json, color }, jobs);
    for (const o of outcomes) process.stderr.write(o.text);
    if (json) process.stdout.write(`${JSON.stringify(outcomes.flatMap((o) => o.json), null, 2)}\n`);
    return Math.max(0, ...outcomes.map((o) => o.status));
  },
};
