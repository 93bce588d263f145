// Puts comments back into the formatter's lines and writes the text. A comment alone on its line goes
// before the first output line that ends after it; a trailing comment goes at the end of the line that
// holds the token before it. Blank lines between statements are kept (one at most).
import type { CommentInfo } from './format-tokens.js';

export const INDENT = 2;

export interface Line {
  /** Spaces before the text. */
  readonly indent: number;
  text: string;
  /** Source offsets of the first and (just past) the last token printed on this line. */
  readonly start: number;
  end: number;
  /** unit: starts a statement or declaration; cont: continues one; close: starts with `}`. */
  readonly kind: 'unit' | 'cont' | 'close';
  /** A top-level declaration: always one blank line before it (and its comments). */
  readonly forceBlank: boolean;
}

export function writeLines(lines: readonly Line[], comments: readonly CommentInfo[], text: string): string {
  const before: CommentInfo[][] = lines.map(() => []);
  const after: CommentInfo[][] = lines.map(() => []);
  const tail: CommentInfo[] = [];
  for (const c of comments) {
    if (!c.ownLine) {
      const i = lastIndex(lines, (l) => l.start <= c.anchor);
      if (i >= 0) {
        after[i]!.push(c);
        continue;
      }
    }
    const i = lines.findIndex((l) => l.end > c.start);
    (i < 0 ? tail : before[i]!).push(c);
  }
  // Nothing can follow a `//` comment on its line: later trailing comments move to the next line.
  after.forEach((list, i) => {
    const k = list.findIndex((c) => c.isLine);
    if (k < 0 || k === list.length - 1) return;
    const target = before[i + 1] ?? tail;
    target.push(...list.splice(k + 1));
    target.sort((a, b) => a.start - b.start);
  });

  const masked = maskComments(text, comments);
  const out: string[] = [];
  let prev: { end: number; opens: boolean } | undefined;
  const blank = (start: number, force: boolean) => {
    if (!prev || prev.opens) return;
    if (force || (prev.end <= start && /\n[ \t\r]*\n/.test(masked.slice(prev.end, start)))) out.push('');
  };
  const own = (c: CommentInfo, indent: number, force: boolean) => {
    blank(c.start, force);
    out.push(' '.repeat(indent) + c.text);
    prev = { end: c.end, opens: false };
  };
  lines.forEach((line, i) => {
    const group = before[i]!;
    const indent = line.kind === 'close' ? line.indent + INDENT : line.indent;
    group.forEach((c, k) => own(c, indent, k === 0 && line.forceBlank));
    if (line.kind === 'unit') blank(line.start, group.length === 0 && line.forceBlank);
    const trailing = after[i]!;
    out.push(' '.repeat(line.indent) + [line.text, ...trailing.map((c) => c.text)].join(' '));
    prev = { end: Math.max(line.end, ...trailing.map((c) => c.end)), opens: line.text.endsWith('{') };
  });
  for (const c of tail) own(c, 0, false);
  return out.length ? `${out.join('\n')}\n` : '';
}

function lastIndex<T>(xs: readonly T[], test: (x: T) => boolean): number {
  for (let i = xs.length - 1; i >= 0; i--) if (test(xs[i]!)) return i;
  return -1;
}

/** The text with comments blanked out, so that blank-line detection does not see inside them. */
function maskComments(text: string, comments: readonly CommentInfo[]): string {
  let out = '';
  let at = 0;
  for (const c of comments) {
    out += text.slice(at, c.start) + ' '.repeat(c.end - c.start);
    at = c.end;
  }
  return out + text.slice(at);
}
