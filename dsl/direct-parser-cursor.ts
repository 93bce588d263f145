// The direct parser's footing (dsl/direct-parser.ts): a cursor over the token list, spans of
// tokens, and the first syntax error, thrown as Stop and shaped like chevrotain's so that
// parser.ts reports both parsers' errors alike.
import type { IToken, TokenType } from 'chevrotain';
import { chevrotain } from './chevrotain.js';
import type * as A from './ast.js';
import { describeToken, shownToken, TOP_LEVEL } from './parse-messages.js';
import type { SourceFile, Span } from './source.js';

const { EOF } = chevrotain;

/** The first syntax error, shaped like chevrotain's (parser.ts reports both alike). */
export interface DirectParseError {
  readonly name: 'MismatchedTokenException' | 'NoViableAltException' | 'NotAllInputParsedException';
  readonly message: string;
  readonly token: IToken;
  readonly previousToken?: IToken;
}

export class Stop {
  constructor(readonly error: DirectParseError) {}
}

export class TokenCursor {
  protected pos = 0;
  protected readonly end: IToken;

  constructor(
    protected readonly source: SourceFile,
    protected readonly tokens: readonly IToken[],
  ) {
    this.end = { image: '', startOffset: NaN, endOffset: NaN, tokenType: EOF } as IToken;
  }

  protected peek(ahead = 1): IToken {
    return this.tokens[this.pos + ahead - 1] ?? this.end;
  }

  protected prev(): IToken {
    return this.tokens[this.pos - 1] ?? this.end;
  }

  protected next(): IToken {
    return this.tokens[this.pos++]!;
  }

  protected accept(type: TokenType): boolean {
    if (this.peek().tokenType !== type) return false;
    this.pos++;
    return true;
  }

  protected consume(type: TokenType): IToken {
    const t = this.peek();
    if (t.tokenType !== type) {
      const message = type === EOF ? `${TOP_LEVEL} but found ${shownToken(t)}` : `expected ${describeToken(type)} but found ${shownToken(t)}`;
      this.fail('MismatchedTokenException', message);
    }
    this.pos++;
    return t;
  }

  protected fail(name: DirectParseError['name'], message: string): never {
    throw new Stop({ name, message, token: this.peek(), previousToken: this.pos > 0 ? this.prev() : undefined });
  }

  protected spanOf(first: IToken, last: IToken): Span {
    const start = first.startOffset;
    return this.source.span(start, Math.max(start, last.endOffset! + 1));
  }

  protected tokenSpan(t: IToken): Span {
    return this.spanOf(t, t);
  }

  protected joinTok(a: A.Expr, t: IToken): Span {
    return { file: a.span.file, start: a.span.start, end: this.tokenSpan(t).end };
  }}
