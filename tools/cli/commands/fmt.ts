// archc fmt <file|zoo-name>... [--write | --check]: canonical formatting. A file with syntax errors is
// refused with its diagnostics and left as it is; --write replaces a file only when its text changes,
// atomically (runtime/persist/files.ts: a symlink's target is written, mode and owner are kept).
import { ioReason, isFileError, writeFileAtomic } from '../../../runtime/persist/files.js';
import { diagnostic } from '../../../compiler/diagnostics.js';
import { looksBinary } from '../../../compiler/loader.js';
import { renderDiagnostic } from '../../../compiler/render.js';
import { format } from '../../../dsl/format.js';
import { SourceFile } from '../../../dsl/source.js';
import { parseArgs, UsageError } from '../args.js';
import { displayPath, locate, nodeHost } from '../../../compiler/node-host.js';
import { type Command } from './common.js';

export const fmt: Command = {
  usage: `archc fmt <file|zoo-name>... [--write | --check]
      --write             rewrite each file in place when its formatting changes
      --check             change nothing; exit 1 when some file is not formatted`,
  async run(argv) {
    const parsed = parseArgs(argv, { write: { type: 'boolean', short: 'w' }, check: { type: 'boolean' } });
    const write = parsed.flags['write'] === true;
    const check = parsed.flags['check'] === true;
    if (parsed.positionals.length === 0) throw new UsageError('fmt needs at least one file or zoo name');
    if (write && check) throw new UsageError('--write and --check cannot be used together');
    let status = 0;
    for (const target of parsed.positionals) {
      status = Math.max(status, formatOne(locate(target), { write, check }));
    }
    return status;
  },
};

/** 0: done (or already formatted), 1: syntax errors or (with --check) not formatted, 2: I/O. */
function formatOne(path: string, mode: { write: boolean; check: boolean }): number {
  const read = nodeHost.read(path);
  if ('error' in read) return ioError(`cannot read ${displayPath(path)}: ${read.error}`);
  if (looksBinary(read.text)) return ioError(`${displayPath(path)} is not a text file (it has NUL or control bytes)`);
  const source = new SourceFile(path, read.text);
  const result = format(source);
  if (result.text === undefined) {
    const sources = new Map([[path, source]]);
    for (const e of result.errors) {
      process.stderr.write(`${renderDiagnostic(diagnostic(e.code, e.message, e.span), sources, { relativeTo: displayPath })}\n\n`);
    }
    process.stderr.write(`archc fmt: ${displayPath(path)} has syntax errors; it was not formatted\n`);
    return 1;
  }
  const changed = result.text !== read.text;
  if (mode.check) {
    if (changed) process.stdout.write(`${displayPath(path)}\n`);
    return changed ? 1 : 0;
  }
  if (!mode.write) {
    process.stdout.write(result.text);
    return 0;
  }
  if (!changed) return 0;
  try {
    // The one atomic writer: through a symlink to its target, keeping mode and owner.
    writeFileAtomic(path, result.text);
  } catch (e) {
    if (!isFileError(e)) throw e;
    return ioError(`cannot write ${displayPath(path)}: ${ioReason(e)}`);
  }
  process.stdout.write(`formatted ${displayPath(path)}\n`);
  return 0;
}

function ioError(message: string): number {
  process.stderr.write(`archc fmt: ${message}\n`);
  return 2;
}
