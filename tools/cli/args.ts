// The CLI's argument parsing: Node's util.parseArgs (strict: declared flags only) behind archc's
// own messages. An unknown flag, a missing value or a value given to a boolean flag is a UsageError
// (exit 2) that names the flag as the user typed it.
import { parseArgs as nodeParseArgs } from 'node:util';

export interface FlagSpec {
  readonly type: 'boolean' | 'string';
  readonly short?: string;
  /** May be given more than once (values collect into a list). */
  readonly multiple?: boolean;
}

export interface Parsed {
  readonly positionals: string[];
  readonly flags: Record<string, string | boolean | string[] | undefined>;
}

/** Exit status 2 with the message; `showUsage` false for a flag that is well formed but cannot be served here. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly showUsage = true,
  ) {
    super(message);
  }
}

export function parseArgs(argv: readonly string[], specs: Readonly<Record<string, FlagSpec>>): Parsed {
  try {
    const { values, positionals } = nodeParseArgs({ args: joinValues(argv, specs), options: specs, strict: true, allowPositionals: true });
    return { positionals, flags: { ...values } as Parsed['flags'] };
  } catch (e) {
    throw new UsageError(usageMessage(e as Error & { code?: string }, argv, specs));
  }
}

/**
 * `--seed -1` as `--seed=-1`: a string flag takes the next argument as its value whatever it starts
 * with (util.parseArgs would call a value that starts with '-' ambiguous).
 */
function joinValues(argv: readonly string[], specs: Readonly<Record<string, FlagSpec>>): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      out.push(...argv.slice(i));
      break;
    }
    const key = arg.startsWith('--') ? arg.slice(2) : arg.length === 2 && arg[0] === '-' ? Object.keys(specs).find((k) => specs[k]!.short === arg[1]) : undefined;
    if (key && specs[key]?.type === 'string' && !key.includes('=') && i + 1 < argv.length) out.push(`--${key}=${argv[++i]!}`);
    else out.push(arg);
  }
  return out;
}

/** Node's parse error in archc's words. */
function usageMessage(e: Error & { code?: string }, argv: readonly string[], specs: Readonly<Record<string, FlagSpec>>): string {
  const quoted = /'(-{1,2}[^'\s,]+)/.exec(e.message)?.[1];
  if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return `unknown option '${quoted ?? argv.find((a) => a.startsWith('-')) ?? '?'}'`;
  if (e.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    const key = Object.keys(specs).find((k) => e.message.includes(`--${k}`));
    if (key && specs[key]!.type === 'boolean') return `option '--${key}' takes no value`;
    if (key) return `option '--${key}' needs a value`;
  }
  return e.message;
}
