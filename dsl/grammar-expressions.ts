// The expression half of the grammar (operators by precedence, postfix calls, indexing and
// properties, literals, lists, if-expressions) and the span helpers both halves use. The
// declarations and statements are in grammar.ts, whose class extends this one; an if-expression's
// branches are statement bodies, so `body` is that class's rule.
import type { IOrAlt, IParserConfig, IToken, ParserMethod } from 'chevrotain';
import { chevrotain } from './chevrotain.js';
import * as T from './tokens.js';
import type * as A from './ast.js';
import type { SourceFile, Span } from './source.js';

const { EmbeddedActionsParser, EOF: EOFToken } = chevrotain;

const RECORDING_SPAN: Span = { file: '', start: { line: 0, col: 0, offset: 0 }, end: { line: 0, col: 0, offset: 0 } };

export abstract class ExpressionGrammar extends EmbeddedActionsParser {
  source!: SourceFile;
  // Alternatives built once, not on every call (chevrotain's main performance advice): they close
  // over nothing but `this`. Rules whose alternatives capture locals build them per call.
  private notAlts?: IOrAlt<A.Expr>[];
  private comparisonAlts?: IOrAlt<IToken>[];
  private additiveAlts?: IOrAlt<IToken>[];
  private multiplicativeAlts?: IOrAlt<IToken>[];
  private unaryAlts?: IOrAlt<A.Expr>[];
  private primaryAlts?: IOrAlt<A.Expr>[];

  constructor(config: IParserConfig) {
    super(T.allTokens, config);
  }

  /** A block of statements (grammar.ts). */
  abstract body: ParserMethod<[], A.Stmt[]>;

  protected spanOf(first: IToken, last: IToken): Span {
    if (!this.source) return RECORDING_SPAN; // grammar recording runs the rules without input
    const start = Number.isFinite(first.startOffset) ? first.startOffset : this.lastGoodOffset();
    const end = Number.isFinite(last.endOffset) ? last.endOffset! + 1 : start;
    return this.source.span(start, Math.max(start, end));
  }

  protected tokenSpan(t: IToken): Span {
    return this.spanOf(t, t);
  }

  private lastGoodOffset(): number {
    for (let i = 0; ; i--) {
      const t = this.LA(i);
      if (!t || t.tokenType === EOFToken) return this.source?.text.length ?? 0;
      if (Number.isFinite(t.endOffset)) return t.endOffset! + 1;
      if (i < -1000) return 0;
    }
  }

  protected prev(): IToken {
    return this.LA(0);
  }

  expression = this.RULE('expression', (): A.Expr => {
    let lhs = this.SUBRULE(this.orExpr);
    this.MANY(() => {
      this.CONSUME(T.Pipe);
      const rhs = this.SUBRULE2(this.orExpr);
      lhs = { kind: 'pipe', lhs, rhs, span: this.join(lhs, rhs) };
    });
    return lhs;
  });

  orExpr = this.RULE('orExpr', (): A.Expr => {
    let left = this.SUBRULE(this.andExpr);
    this.MANY(() => {
      const op = this.CONSUME(T.Or);
      const right = this.SUBRULE2(this.andExpr);
      left = this.binary('or', op, left, right);
    });
    return left;
  });

  andExpr = this.RULE('andExpr', (): A.Expr => {
    let left = this.SUBRULE(this.notExpr);
    this.MANY(() => {
      const op = this.CONSUME(T.And);
      const right = this.SUBRULE2(this.notExpr);
      left = this.binary('and', op, left, right);
    });
    return left;
  });

  notExpr = this.RULE('notExpr', (): A.Expr =>
    this.OR(this.notAlts ??= [
      {
        ALT: () => {
          const op = this.CONSUME(T.Not);
          const operand = this.SUBRULE(this.notExpr);
          return { kind: 'unary', op: 'not', operand, span: this.spanOf(op, this.prev()) } as A.Expr;
        },
      },
      { ALT: () => this.SUBRULE(this.comparison) },
    ]),
  );

  comparison = this.RULE('comparison', (): A.Expr => {
    let left = this.SUBRULE(this.additive);
    this.OPTION(() => {
      const op = this.OR(this.comparisonAlts ??= [
        { ALT: () => this.CONSUME(T.EqEq) },
        { ALT: () => this.CONSUME(T.NotEq) },
        { ALT: () => this.CONSUME(T.LessEq) },
        { ALT: () => this.CONSUME(T.GreaterEq) },
        { ALT: () => this.CONSUME(T.Less) },
        { ALT: () => this.CONSUME(T.Greater) },
      ]);
      const right = this.SUBRULE2(this.additive);
      left = this.binary(op.image as A.BinaryOp, op, left, right);
    });
    return left;
  });

  additive = this.RULE('additive', (): A.Expr => {
    let left = this.SUBRULE(this.multiplicative);
    this.MANY(() => {
      const op = this.OR(this.additiveAlts ??= [{ ALT: () => this.CONSUME(T.Plus) }, { ALT: () => this.CONSUME(T.Minus) }]);
      const right = this.SUBRULE2(this.multiplicative);
      left = this.binary(op.image as A.BinaryOp, op, left, right);
    });
    return left;
  });

  multiplicative = this.RULE('multiplicative', (): A.Expr => {
    let left = this.SUBRULE(this.unary);
    this.MANY(() => {
      const op = this.OR(this.multiplicativeAlts ??= [
        { ALT: () => this.CONSUME(T.Star) },
        { ALT: () => this.CONSUME(T.Slash) },
        { ALT: () => this.CONSUME(T.Percent) },
      ]);
      const right = this.SUBRULE2(this.unary);
      left = this.binary(op.image as A.BinaryOp, op, left, right);
    });
    return left;
  });

  unary = this.RULE('unary', (): A.Expr =>
    this.OR(this.unaryAlts ??= [
      {
        ALT: () => {
          const op = this.CONSUME(T.Minus);
          const operand = this.SUBRULE(this.unary);
          return { kind: 'unary', op: '-', operand, span: this.spanOf(op, this.prev()) } as A.Expr;
        },
      },
      { ALT: () => this.SUBRULE(this.postfix) },
    ]),
  );

  postfix = this.RULE('postfix', (): A.Expr => {
    let expr = this.SUBRULE(this.primary);
    this.MANY(() => {
      this.OR([
        {
          ALT: () => {
            this.CONSUME(T.Dot);
            const prop = this.CONSUME(T.Identifier);
            expr = { kind: 'member', object: expr, property: prop.image, propertySpan: this.tokenSpan(prop), span: this.joinTok(expr, prop) };
          },
        },
        {
          ALT: () => {
            this.CONSUME(T.LBracket);
            const index = this.SUBRULE(this.expression);
            const close = this.CONSUME(T.RBracket);
            expr = { kind: 'index', object: expr, index, span: this.joinTok(expr, close) };
          },
        },
        {
          ALT: () => {
            const args = this.SUBRULE(this.argList);
            expr = { kind: 'call', callee: expr, args, span: this.joinTok(expr, this.prev()) };
          },
        },
      ]);
    });
    return expr;
  });

  argList = this.RULE('argList', (): A.Arg[] => {
    const args: A.Arg[] = [];
    this.CONSUME(T.LParen);
    this.MANY_SEP({
      SEP: T.Comma,
      DEF: () => {
        const first = this.LA(1);
        let name: string | undefined;
        this.OPTION({
          GATE: () => this.LA(2).tokenType === T.Equals,
          DEF: () => {
            name = this.CONSUME(T.Identifier).image;
            this.CONSUME(T.Equals);
          },
        });
        const value = this.SUBRULE(this.expression);
        args.push({ name, value, span: this.spanOf(first, this.prev()) });
      },
    });
    this.CONSUME(T.RParen);
    return args;
  });

  primary = this.RULE('primary', (): A.Expr =>
    this.OR(this.primaryAlts ??= [
      {
        ALT: () => {
          const t = this.CONSUME(T.Integer);
          return { kind: 'number', value: Number(t.image.replace(/_/g, '')), isInt: true, raw: t.image, span: this.tokenSpan(t) } as A.Expr;
        },
      },
      {
        ALT: () => {
          const t = this.CONSUME(T.Float);
          return { kind: 'number', value: Number(t.image.replace(/_/g, '')), isInt: false, raw: t.image, span: this.tokenSpan(t) } as A.Expr;
        },
      },
      {
        ALT: () => {
          const t = this.CONSUME(T.StringLit);
          return { kind: 'string', value: unquote(t.image), span: this.tokenSpan(t) } as A.Expr;
        },
      },
      {
        ALT: () => {
          const t = this.CONSUME(T.True);
          return { kind: 'bool', value: true, span: this.tokenSpan(t) } as A.Expr;
        },
      },
      {
        ALT: () => {
          const t = this.CONSUME(T.False);
          return { kind: 'bool', value: false, span: this.tokenSpan(t) } as A.Expr;
        },
      },
      {
        ALT: () => {
          const t = this.CONSUME(T.None);
          return { kind: 'none', span: this.tokenSpan(t) } as A.Expr;
        },
      },
      {
        ALT: () => {
          const t = this.CONSUME(T.Identifier);
          return { kind: 'name', name: t.image, span: this.tokenSpan(t) } as A.Expr;
        },
      },
      { ALT: () => this.SUBRULE(this.listLit) },
      { ALT: () => this.SUBRULE(this.ifExpr) },
      {
        ALT: () => {
          this.CONSUME(T.LParen);
          const e = this.SUBRULE(this.expression);
          this.CONSUME(T.RParen);
          return e;
        },
      },
    ]),
  );

  listLit = this.RULE('listLit', (): A.Expr => {
    const open = this.CONSUME(T.LBracket);
    const items: A.Expr[] = [];
    this.MANY_SEP({ SEP: T.Comma, DEF: () => items.push(this.SUBRULE(this.expression)) });
    const close = this.CONSUME(T.RBracket);
    return { kind: 'list', items, span: this.spanOf(open, close) };
  });

  ifExpr = this.RULE('ifExpr', (): A.Expr => {
    const kw = this.CONSUME(T.If);
    const condition = this.SUBRULE(this.expression);
    const then = this.SUBRULE(this.body);
    let otherwise: A.Stmt[] | undefined;
    this.OPTION(() => {
      this.CONSUME(T.Else);
      this.OR([
        { ALT: () => (otherwise = this.SUBRULE2(this.body)) },
        {
          ALT: () => {
            const nested = this.SUBRULE2(this.ifExpr);
            otherwise = [{ kind: 'expr', expr: nested, span: nested.span }];
          },
        },
      ]);
    });
    return { kind: 'if', condition, then, else: otherwise, span: this.spanOf(kw, this.prev()) };
  });

  protected binary(op: A.BinaryOp, token: IToken, left: A.Expr, right: A.Expr): A.Expr {
    return { kind: 'binary', op, opSpan: this.tokenSpan(token), left, right, span: this.join(left, right) };
  }

  protected join(a: A.Expr, b: A.Expr): Span {
    if (!a?.span || !b?.span) return this.tokenSpan(this.prev());
    return { file: a.span.file, start: a.span.start, end: b.span.end };
  }

  protected joinTok(a: A.Expr, t: IToken): Span {
    if (!a?.span) return this.tokenSpan(t);
    return { file: a.span.file, start: a.span.start, end: this.tokenSpan(t).end };
  }
}

export function unquote(image: string): string {
  return image.slice(1, -1).replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : c));
}
