// What the formatter needs from the raw text besides the AST: token offsets (braces, `|>`, `else`
// carry no AST node) and every comment with how it sits on its line.
import type { IToken } from 'chevrotain';
import * as T from './tokens.js';

export interface CommentInfo {
  /** Trailing whitespace removed from every line. */
  readonly text: string;
  readonly start: number;
  readonly end: number;
  /** Only whitespace or other comments precede it on its line. */
  readonly ownLine: boolean;
  /** For a trailing comment: the start offset of the token before it on its line. */
  readonly anchor: number;
  readonly isLine: boolean;
}

export class TokenIndex {
  private readonly tokens: IToken[];
  private readonly byStart = new Map<number, number>();
  private readonly partner = new Map<number, number>();
  readonly comments: CommentInfo[];
  private readonly commentStarts: number[];

  constructor(text: string) {
    const lexed = T.lexer.tokenize(text);
    this.tokens = lexed.tokens;
    const open: number[] = [];
    this.tokens.forEach((t, i) => {
      this.byStart.set(t.startOffset, i);
      if (t.tokenType === T.LBrace) open.push(i);
      else if (t.tokenType === T.RBrace && open.length) {
        const o = open.pop()!;
        this.partner.set(o, i);
        this.partner.set(i, o);
      }
    });
    const raw = [...(lexed.groups['comments'] ?? [])].sort((a, b) => a.startOffset - b.startOffset);
    this.comments = raw.map((c) => this.describe(c));
    this.commentStarts = this.comments.map((c) => c.start);
  }

  private describe(c: IToken): CommentInfo {
    const before = this.firstAtOrAfter(c.startOffset) - 1;
    const prev = before >= 0 ? this.tokens[before] : undefined;
    const ownLine = !prev || (prev.endLine ?? prev.startLine ?? 0) < (c.startLine ?? 0);
    const text = c.image.split('\n').map((l) => l.trimEnd()).join('\n');
    return { text, start: c.startOffset, end: c.endOffset! + 1, ownLine, anchor: prev?.startOffset ?? -1, isLine: text.startsWith('//') };
  }

  /** Index of the first token starting at or after `offset` (tokens.length when none). */
  firstAtOrAfter(offset: number): number {
    let lo = 0;
    let hi = this.tokens.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.tokens[mid]!.startOffset < offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The first `{` at or after `offset`. */
  braceAfter(offset: number): number {
    let i = this.firstAtOrAfter(offset);
    while (i < this.tokens.length && this.tokens[i]!.tokenType !== T.LBrace) i++;
    return this.check(i, 'a `{`', offset);
  }

  /** The token that starts exactly at `offset`. */
  at(offset: number): number {
    return this.check(this.byStart.get(offset) ?? -1, 'a token', offset);
  }

  /** The `{` or `}` that pairs with the brace at index i. */
  match(i: number): number {
    return this.check(this.partner.get(i) ?? -1, 'a matching brace', this.start(i));
  }

  /** Where the `|>` before the expression starting at `offset` begins (skipping open parens). */
  pipeBefore(offset: number): number {
    let i = this.firstAtOrAfter(offset) - 1;
    while (i >= 0 && this.tokens[i]!.tokenType === T.LParen) i--;
    return i >= 0 && this.tokens[i]!.tokenType === T.Pipe ? this.start(i) : offset;
  }

  /** Where the token before `offset` starts (such as the `:` before an annotation). */
  startBefore(offset: number): number {
    const i = this.firstAtOrAfter(offset) - 1;
    return i >= 0 ? this.start(i) : offset;
  }

  isIf(i: number): boolean {
    return this.tokens[i]?.tokenType === T.If;
  }

  start(i: number): number {
    return this.tokens[i]!.startOffset;
  }

  end(i: number): number {
    return this.tokens[i]!.endOffset! + 1;
  }

  /** Whether a comment starts in [start, end). */
  commentIn(start: number, end: number): boolean {
    let lo = 0;
    let hi = this.commentStarts.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.commentStarts[mid]! < start) lo = mid + 1;
      else hi = mid;
    }
    return lo < this.commentStarts.length && this.commentStarts[lo]! < end;
  }

  private check(i: number, what: string, offset: number): number {
    // Unreachable for a file that parsed without errors; a bug in the formatter otherwise.
    if (i < 0 || i >= this.tokens.length) throw new Error(`format: expected ${what} near offset ${offset}`);
    return i;
  }
}
