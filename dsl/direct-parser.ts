// A hand-written recursive-descent parser for the whole grammar, building the same syntax tree as
// the chevrotain grammar (grammar.ts, grammar-expressions.ts) with far less JavaScript stack per
// nesting level. Chevrotain spends 4-7 frames on every rule it enters and the expression grammar
// has a rule per precedence level, so one parenthesis cost ~50 frames (V8's default stack held
// ~170) and one `for` ~20 (~720). Here binary operators are parsed by precedence climbing (one
// loop over a precedence table: chains of `+` or `|>` are loops, not recursion), runs of prefix
// operators are loops, and a bracket costs 2-3 frames, so a browser's default stack holds
// thousands of levels. It parses files without syntax errors; on the first error it stops, and
// parser.ts asks chevrotain, which recovers and reports every error, where the stack allows.
import type { IToken, TokenType } from 'chevrotain';
import type * as A from './ast.js';
import { Stop, TokenCursor, type DirectParseError } from './direct-parser-cursor.js';
import { unquote } from './grammar-expressions.js';
import { shownToken, TOP_LEVEL } from './parse-messages.js';
import type { SourceFile, Span } from './source.js';
import * as T from './tokens.js';

export type { DirectParseError } from './direct-parser-cursor.js';

export type DirectParseResult = { readonly items: (A.UseDecl | A.AllowDecl | A.Decl)[] } | { readonly error: DirectParseError };

export function parseDirect(source: SourceFile, tokens: readonly IToken[]): DirectParseResult {
  const parser = new DirectParser(source, tokens);
  try {
    return { items: parser.file() };
  } catch (e) {
    if (e instanceof Stop) return { error: e.error };
    throw e;
  }
}

/** One `if` of an `else if` chain. */
interface IfLink {
  readonly kw: IToken;
  readonly condition: A.Expr;
  readonly then: A.Stmt[];
}

/** Binding strength of the binary operators, loosest first; `not` binds between `and` and the comparisons. */
const PIPE = 1;
const OR = 2;
const AND = 3;
const NOT = 4;
const COMPARISON = 5;
const ADDITIVE = 6;
const MULTIPLICATIVE = 7;

const BINARY = new Map<TokenType, number>([
  [T.Pipe, PIPE], [T.Or, OR], [T.And, AND],
  [T.EqEq, COMPARISON], [T.NotEq, COMPARISON], [T.LessEq, COMPARISON], [T.GreaterEq, COMPARISON], [T.Less, COMPARISON], [T.Greater, COMPARISON],
  [T.Plus, ADDITIVE], [T.Minus, ADDITIVE], [T.Star, MULTIPLICATIVE], [T.Slash, MULTIPLICATIVE], [T.Percent, MULTIPLICATIVE],
]);

/** Tokens that start an expression (the `primary` rule and the prefix operators). */
const EXPRESSION_START = new Set<TokenType>([
  T.Integer, T.Float, T.StringLit, T.True, T.False, T.None, T.Identifier, T.LBracket, T.If, T.LParen, T.Minus, T.Not,
]);
const POSTFIX_START = new Set<TokenType>([T.Dot, T.LBracket, T.LParen]);
const STATEMENT_START = new Set<TokenType>([...EXPRESSION_START, T.Input, T.Output, T.Return, T.Expect, T.For, T.Frozen]);

class DirectParser extends TokenCursor {
  file(): (A.UseDecl | A.AllowDecl | A.Decl)[] {
    const items: (A.UseDecl | A.AllowDecl | A.Decl)[] = [];
    for (;;) {
      const t = this.peek();
      if (t.tokenType === T.Use) items.push(this.useDecl());
      else if (t.tokenType === T.Identifier && t.image === 'allow') items.push(this.allowDecl());
      else if (t.tokenType === T.Model) items.push(this.modelDecl());
      else if (t.tokenType === T.Block) items.push(this.blockDecl());
      else if (t.tokenType === T.Identifier) this.fail('NoViableAltException', `${TOP_LEVEL} but found ${shownToken(t)}`);
      else break;
    }
    if (this.pos < this.tokens.length) this.fail('NotAllInputParsedException', `${TOP_LEVEL} but found ${shownToken(this.peek())}`);
    return items;
  }

  private useDecl(): A.UseDecl {
    const kw = this.consume(T.Use);
    const path = this.consume(T.StringLit);
    return { kind: 'use', path: unquote(path.image), pathSpan: this.tokenSpan(path), span: this.spanOf(kw, path) };
  }

  private allowDecl(): A.AllowDecl {
    const kw = this.consume(T.Identifier);
    const codes: { code: string; span: Span }[] = [];
    do {
      const t = this.consume(T.Identifier);
      codes.push({ code: t.image, span: this.tokenSpan(t) });
    } while (this.accept(T.Comma));
    return { kind: 'allow', codes, span: this.spanOf(kw, this.prev()) };
  }

  private modelDecl(): A.ModelDecl {
    const kw = this.consume(T.Model);
    const name = this.consume(T.Identifier);
    const params = this.peek().tokenType === T.LParen ? this.paramList() : [];
    const body = this.body();
    return { kind: 'model', name: name.image, nameSpan: this.tokenSpan(name), params, body, span: this.spanOf(kw, this.prev()) };
  }

  private blockDecl(): A.BlockDecl {
    const kw = this.consume(T.Block);
    const name = this.consume(T.Identifier);
    const params = this.paramList();
    const body = this.body();
    return { kind: 'block', name: name.image, nameSpan: this.tokenSpan(name), params, body, span: this.spanOf(kw, this.prev()) };
  }

  private paramList(): A.Param[] {
    const params: A.Param[] = [];
    this.consume(T.LParen);
    if (this.peek().tokenType === T.Identifier) {
      do {
        const name = this.consume(T.Identifier);
        const annotation = this.accept(T.Colon) ? this.expression() : undefined;
        const def = this.accept(T.Equals) ? this.expression() : undefined;
        params.push({ name: name.image, annotation, default: def, span: this.spanOf(name, this.prev()) });
      } while (this.accept(T.Comma));
    }
    this.consume(T.RParen);
    return params;
  }

  /** `{ statement* }`: a small frame, as nested `if`s and loops recurse through it. */
  private body(): A.Stmt[] {
    const stmts: A.Stmt[] = [];
    this.consume(T.LBrace);
    while (STATEMENT_START.has(this.peek().tokenType)) stmts.push(this.statement());
    this.consume(T.RBrace);
    return stmts;
  }

  private statement(): A.Stmt {
    const t = this.peek();
    switch (t.tokenType) {
      case T.Input: return this.inputStmt();
      case T.Output: return this.outputStmt();
      case T.Return: return this.returnStmt();
      case T.Expect: return this.expectStmt();
      case T.For: return this.forStmt();
      case T.Frozen: return this.frozenStmt();
    }
    const second = this.peek(2).tokenType;
    if (t.tokenType === T.Identifier && (second === T.Equals || second === T.Comma)) return this.assignStmt();
    const expr = t.tokenType === T.If ? this.ifStatement() : this.expression();
    return { kind: 'expr', expr, span: expr.span };
  }

  /**
   * An expression statement that starts with `if` (nested `if`s are mostly these): the same tree as
   * `expression` builds, read without its two frames, so nested `if`s cost half the stack.
   */
  private ifStatement(): A.Expr {
    let expr = this.ifExpr();
    if (POSTFIX_START.has(this.peek().tokenType)) expr = this.postfix(expr);
    return this.climb(expr, PIPE, MULTIPLICATIVE);
  }

  private expectStmt(): A.ExpectStmt {
    const kw = this.next();
    const condition = this.expression();
    return { kind: 'expect', condition, span: this.spanOf(kw, this.prev()) };
  }

  private frozenStmt(): A.FrozenStmt {
    const kw = this.next();
    const body = this.body();
    return { kind: 'frozen', body, span: this.spanOf(kw, this.prev()) };
  }

  private inputStmt(): A.InputStmt {
    const kw = this.next();
    const name = this.consume(T.Identifier);
    this.consume(T.Colon);
    const shape = this.expression();
    const fallback = this.accept(T.Equals) ? this.expression() : undefined;
    return { kind: 'input', name: name.image, nameSpan: this.tokenSpan(name), shape, default: fallback, span: this.spanOf(kw, this.prev()) };
  }

  private outputStmt(): A.OutputStmt {
    const kw = this.next();
    const name = this.consume(T.Identifier);
    const value = this.accept(T.Equals) ? this.expression() : undefined;
    const annotation = this.accept(T.Colon) ? this.expression() : undefined;
    return { kind: 'output', name: name.image, nameSpan: this.tokenSpan(name), value, annotation, span: this.spanOf(kw, this.prev()) };
  }

  private assignStmt(): A.AssignStmt {
    const targets: { name: string; span: Span }[] = [];
    const first = this.consume(T.Identifier);
    targets.push({ name: first.image, span: this.tokenSpan(first) });
    while (this.accept(T.Comma)) {
      const t = this.consume(T.Identifier);
      targets.push({ name: t.image, span: this.tokenSpan(t) });
    }
    this.consume(T.Equals);
    const value = this.expression();
    const annotation = this.accept(T.Colon) ? this.expression() : undefined;
    return { kind: 'assign', targets, value, annotation, span: this.spanOf(first, this.prev()) };
  }

  private returnStmt(): A.ReturnStmt {
    const kw = this.next();
    const values: A.Expr[] = [];
    do values.push(this.expression());
    while (this.accept(T.Comma));
    return { kind: 'return', values, span: this.spanOf(kw, this.prev()) };
  }

  private forStmt(): A.ForStmt {
    const kw = this.next();
    const v = this.consume(T.Identifier);
    this.consume(T.In);
    const from = this.expression();
    const to = this.accept(T.DotDot) ? this.expression() : undefined;
    const body = this.body();
    return { kind: 'for', variable: v.image, variableSpan: this.tokenSpan(v), from, to, body, span: this.spanOf(kw, this.prev()) };
  }

  /**
   * Binary operators binding at least as tightly as `loosest`, by precedence climbing: left-associative
   * chains loop here. `ceiling` is the tightest operator that may follow what is parsed so far: after
   * a comparison or a `not`, only `and`, `or` and `|>` (`a < b < c` and `not a < b < c` are errors).
   */
  private expression(loosest = PIPE): A.Expr {
    const ceiling = this.peek().tokenType === T.Not && loosest <= NOT ? AND : MULTIPLICATIVE;
    return this.climb(this.operand(loosest), loosest, ceiling);
  }

  /** The binary operators after `left`, an operand already read. */
  private climb(left: A.Expr, loosest: number, ceiling: number): A.Expr {
    for (;;) {
      const op = this.peek();
      const strength = BINARY.get(op.tokenType);
      if (strength === undefined || strength < loosest || strength > ceiling) return left;
      this.pos++;
      ceiling = strength === COMPARISON ? AND : strength;
      // The operand on the right binds tighter: a pipe stage is an `or` expression, a comparison's side a sum.
      const right = this.expression(strength === PIPE ? OR : strength === COMPARISON ? ADDITIVE : strength + 1);
      left =
        strength === PIPE
          ? { kind: 'pipe', lhs: left, rhs: right, span: join(left, right) }
          : { kind: 'binary', op: op.image as A.BinaryOp, opSpan: this.tokenSpan(op), left, right, span: join(left, right) };
    }
  }

  /**
   * One operand: a run of `not`s (where the context allows them) over a comparison, or a run of `-`
   * over a primary expression (a literal, a name, a list, an `if`, a parenthesized expression) with
   * its postfix calls, indexing and properties. Runs are loops; the primary expression is parsed here,
   * not in a method of its own, to save a frame a level.
   */
  private operand(loosest: number): A.Expr {
    if (this.peek().tokenType === T.Not && loosest <= NOT) return this.notRun();
    const minuses: IToken[] = [];
    while (this.peek().tokenType === T.Minus) minuses.push(this.next());
    const t = this.peek();
    let expr: A.Expr;
    switch (t.tokenType) {
      case T.Integer:
      case T.Float:
        this.pos++;
        expr = { kind: 'number', value: Number(t.image.replace(/_/g, '')), isInt: t.tokenType === T.Integer, raw: t.image, span: this.tokenSpan(t) };
        break;
      case T.StringLit:
        this.pos++;
        expr = { kind: 'string', value: unquote(t.image), span: this.tokenSpan(t) };
        break;
      case T.True:
      case T.False:
        this.pos++;
        expr = { kind: 'bool', value: t.tokenType === T.True, span: this.tokenSpan(t) };
        break;
      case T.None:
        this.pos++;
        expr = { kind: 'none', span: this.tokenSpan(t) };
        break;
      case T.Identifier:
        this.pos++;
        expr = { kind: 'name', name: t.image, span: this.tokenSpan(t) };
        break;
      case T.LBracket: {
        this.pos++;
        const items: A.Expr[] = [];
        if (EXPRESSION_START.has(this.peek().tokenType)) {
          do items.push(this.expression());
          while (this.accept(T.Comma));
        }
        const close = this.consume(T.RBracket);
        expr = { kind: 'list', items, span: this.spanOf(t, close) };
        break;
      }
      case T.If:
        expr = this.ifExpr();
        break;
      case T.LParen: {
        this.pos++;
        expr = this.expression();
        this.consume(T.RParen);
        break;
      }
      default:
        this.fail('NoViableAltException', `expected an expression but found ${shownToken(t)}`);
    }
    if (POSTFIX_START.has(this.peek().tokenType)) expr = this.postfix(expr);
    return this.wrap(minuses, '-', expr);
  }

  /** `not not ... x`: the `not`s over a comparison. */
  private notRun(): A.Expr {
    const nots: IToken[] = [];
    while (this.peek().tokenType === T.Not) nots.push(this.next());
    return this.wrap(nots, 'not', this.expression(COMPARISON));
  }

  /** Calls, indexing and properties after `expr`; nested calls recurse through here, so the rare cases are apart. */
  private postfix(expr: A.Expr): A.Expr {
    for (;;) {
      const after = this.peek().tokenType;
      if (after === T.Dot) expr = this.member(expr);
      else if (after === T.LBracket) expr = this.index(expr);
      else if (after === T.LParen) {
        // The arguments are read here, not in a method of their own: nested calls recurse through here.
        this.pos++;
        const args: A.Arg[] = [];
        if (EXPRESSION_START.has(this.peek().tokenType)) {
          do {
            const first = this.peek();
            const name = first.tokenType === T.Identifier && this.peek(2).tokenType === T.Equals ? first.image : undefined;
            if (name !== undefined) this.pos += 2;
            const value = this.expression();
            args.push({ name, value, span: this.spanOf(first, this.prev()) });
          } while (this.accept(T.Comma));
        }
        this.consume(T.RParen);
        expr = { kind: 'call', callee: expr, args, span: this.joinTok(expr, this.prev()) };
      } else return expr;
    }
  }

  private member(object: A.Expr): A.Expr {
    this.pos++;
    const prop = this.consume(T.Identifier);
    return { kind: 'member', object, property: prop.image, propertySpan: this.tokenSpan(prop), span: this.joinTok(object, prop) };
  }

  private index(object: A.Expr): A.Expr {
    this.pos++;
    const index = this.expression();
    const close = this.consume(T.RBracket);
    return { kind: 'index', object, index, span: this.joinTok(object, close) };
  }

  /** Prefix operators around `operand`, innermost last; each spans from its sign to the operand's end. */
  private wrap(ops: IToken[], op: '-' | 'not', operand: A.Expr): A.Expr {
    const last = this.prev();
    for (let i = ops.length - 1; i >= 0; i--) operand = { kind: 'unary', op, operand, span: this.spanOf(ops[i]!, last) };
    return operand;
  }

  /**
   * `if c { } else if d { } else { }`: the chain is read in a loop and built from its end, each `if`
   * spanning to the chain's last token, as the grammar's nested rule builds it.
   */
  private ifExpr(): A.Expr {
    const links: IfLink[] = [];
    let otherwise: A.Stmt[] | undefined;
    for (;;) {
      const kw = this.consume(T.If);
      const condition = this.expression();
      links.push({ kw, condition, then: this.body() });
      if (!this.accept(T.Else)) break;
      const t = this.peek().tokenType;
      if (t === T.LBrace) {
        otherwise = this.body();
        break;
      }
      if (t !== T.If) this.fail('NoViableAltException', `expected '{' or 'if' but found ${shownToken(this.peek())}`);
    }
    return this.ifChain(links, otherwise);
  }

  private ifChain(links: readonly IfLink[], otherwise: A.Stmt[] | undefined): A.IfExpr {
    const last = this.prev();
    let expr: A.IfExpr | undefined;
    for (let i = links.length - 1; i >= 0; i--) {
      const { kw, condition, then } = links[i]!;
      const rest: A.Stmt[] | undefined = expr ? [{ kind: 'expr', expr, span: expr.span }] : otherwise;
      expr = { kind: 'if', condition, then, else: rest, span: this.spanOf(kw, last) };
    }
    return expr!;
  }
}

function join(a: A.Expr, b: A.Expr): Span {
  return { file: a.span.file, start: a.span.start, end: b.span.end };
}
