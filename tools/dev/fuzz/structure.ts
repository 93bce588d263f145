// Structure-aware mutations for the fuzz test: where mutate.ts changes a token or a byte, these
// change the shape of a zoo file the way generated or hostile files do. They nest an expression
// hundreds or thousands of levels deep (parentheses, lists, ifs, calls, prefix operators, loops),
// grow chains of `|>` stages or `+` terms, repeat a statement or a whole declaration thousands of
// times, and splice lines of another zoo file in. Sizes are drawn log-uniformly, so that the nesting
// limits (dsl/depth-limits.ts) are met from both sides. Case i of seed s is always the same text.
import type { Mutation } from './mutate.js';

type Random = () => number;

const pick = <X>(r: Random, xs: readonly X[]): X => xs[Math.floor(r() * xs.length)]!;

/** 1 to `max`, log-uniformly: as many cases near 10 as near 1,000. */
const size = (r: Random, max: number): number => Math.max(1, Math.floor(Math.exp(r() * Math.log(max))));

/** Wrappers that nest an expression one level each. */
const WRAPPERS: readonly (readonly [string, string])[] = [
  ['(', ')'],
  ['[', '][0]'],
  ['if true { ', ' } else { 0 }'],
  ['relu(', ')'],
  ['- -', ''],
  ['not not ', ''],
];

/** `name = expression` statements on one line, with where their expression starts. */
function assignments(lines: readonly string[]): { line: number; at: number }[] {
  const out: { line: number; at: number }[] = [];
  lines.forEach((l, line) => {
    const m = /^(\s*[A-Za-z_][\w, ]*= )(.*[^{\s])\s*$/.exec(l);
    if (m && !m[2]!.endsWith('{')) out.push({ line, at: m[1]!.length });
  });
  return out;
}

export function structured(text: string, other: string, r: Random): Mutation {
  const lines = text.split('\n');
  const kind = pick(r, ['nest', 'nest', 'loops', 'chain', 'repeat', 'repeat-decl', 'splice']);
  const statements = assignments(lines);
  const target = statements.length ? pick(r, statements) : undefined;
  switch (kind) {
    case 'nest': {
      if (!target) break;
      const [open, close] = pick(r, WRAPPERS);
      const depth = size(r, 3_000);
      const l = lines[target.line]!;
      lines[target.line] = l.slice(0, target.at) + open.repeat(depth) + l.slice(target.at) + close.repeat(depth);
      return { kind: `nest ${depth} ${open.trim()}`, text: lines.join('\n') };
    }
    case 'loops': {
      if (!target) break;
      const depth = size(r, 3_000);
      const l = lines[target.line]!;
      lines[target.line] = `${'for _i in 0..1 { '.repeat(depth)}${l.trim()}${' }'.repeat(depth)}`;
      return { kind: `loops ${depth}`, text: lines.join('\n') };
    }
    case 'chain': {
      if (!target) break;
      const count = size(r, 5_000);
      const stage = pick(r, [' |> relu', ' + 0', ' * 1', ' |> identity']);
      lines[target.line] += stage.repeat(count);
      return { kind: `chain ${count}${stage}`, text: lines.join('\n') };
    }
    case 'repeat': {
      const count = size(r, 5_000);
      const line = target?.line ?? Math.floor(r() * lines.length);
      lines.splice(line, 0, ...Array<string>(count).fill(lines[line]!));
      return { kind: `repeat ${count}`, text: lines.join('\n') };
    }
    case 'repeat-decl': {
      const count = size(r, 200);
      return { kind: `repeat-decl ${count}`, text: Array<string>(count).fill(text).join('\n') };
    }
  }
  // splice: a run of another file's lines, somewhere in this one.
  const from = other.split('\n');
  const start = Math.floor(r() * from.length);
  const piece = from.slice(start, start + 1 + Math.floor(r() * 40));
  lines.splice(Math.floor(r() * (lines.length + 1)), 0, ...piece);
  return { kind: `splice ${piece.length}`, text: lines.join('\n') };
}
