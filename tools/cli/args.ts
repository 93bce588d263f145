// A small, strict argument parser for the CLI: flags are declared, unknown ones are usage errors.

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

export class UsageError extends Error {}

export function parseArgs(argv: readonly string[], specs: Readonly<Record<string, FlagSpec>>): Parsed {
  const positionals: string[] = [];
  const flags: Record<string, string | boolean | string[] | undefined> = {};
  const byShort = new Map(Object.entries(specs).filter(([, s]) => s.short).map(([k, s]) => [s.short!, k]));
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    const [rawKey, inline] = arg.startsWith('--') ? splitOnce(arg.slice(2), '=') : [byShort.get(arg.slice(1)) ?? arg.slice(1), undefined];
    const key = rawKey!;
    const spec = specs[key];
    if (!spec) throw new UsageError(`unknown option '${arg}'`);
    let value: string | boolean;
    if (spec.type === 'boolean') {
      if (inline !== undefined) throw new UsageError(`option '--${key}' takes no value`);
      value = true;
    } else {
      const next = inline ?? argv[++i];
      if (next === undefined) throw new UsageError(`option '--${key}' needs a value`);
      value = next;
    }
    if (spec.multiple) flags[key] = [...((flags[key] as string[] | undefined) ?? []), value as string];
    else flags[key] = value;
  }
  return { positionals, flags };
}

function splitOnce(s: string, sep: string): [string, string | undefined] {
  const i = s.indexOf(sep);
  return i < 0 ? [s, undefined] : [s.slice(0, i), s.slice(i + 1)];
}
