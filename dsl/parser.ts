// The chevrotain parser: text → typed AST plus syntax diagnostics. Recovery is on, so one run
// reports every syntax error it can; callers stop after parsing when there are any.
import type { IOrAlt, IToken, TokenType, IParserErrorMessageProvider } from 'chevrotain';
import { chevrotain } from './chevrotain.js';
import * as T from './tokens.js';
import { deepestToken, largeStackRunner, nestedTooDeep, MAX_BRACKETS, MAX_BRACKETS_ON_DEFAULT_STACK, MAX_TREE_DEPTH, tooDeep } from './depth-limits.js';
import type * as A from './ast.js';
import { SourceFile, type Span } from './source.js';

const { EmbeddedActionsParser, EOF: EOFToken } = chevrotain;

export interface SyntaxError {
  readonly code: 'E0101' | 'E0102' | 'E0104';
  readonly message: string;
  readonly span: Span;
}

const describe = (t: TokenType): string => {
  const pattern = t.PATTERN;
  if (t === T.Identifier) return 'a name';
  if (t === T.Integer) return 'an integer';
  if (t === T.Float) return 'a number';
  if (t === T.StringLit) return 'a string';
  if (t === EOFToken) return 'end of file';
  if (pattern instanceof RegExp) return `'${pattern.source.replace(/\\/g, '')}'`;
  return t.name;
};

const shown = (token: IToken): string => (token.tokenType === EOFToken ? 'end of file' : `'${token.image}'`);

const TOP_LEVEL = `expected 'model', 'block', 'use' or 'allow'`;

/** "an expression" rather than the dozen tokens that can start one. */
const summarize = (firsts: Set<string>): string =>
  firsts.has('a name') && firsts.has('an integer') ? 'an expression' : [...firsts].join(' or ');

const messages: IParserErrorMessageProvider = {
  buildMismatchTokenMessage: ({ expected, actual }) =>
    expected === EOFToken ? `${TOP_LEVEL} but found ${shown(actual)}` : `expected ${describe(expected)} but found ${shown(actual)}`,
  buildNotAllInputParsedMessage: ({ firstRedundant }) => `${TOP_LEVEL} but found ${shown(firstRedundant)}`,
  buildNoViableAltMessage: ({ expectedPathsPerAlt, actual, ruleName }) => {
    const firsts = new Set(expectedPathsPerAlt.flat().map((path) => describe(path[0]!)));
    const what =
      ruleName === 'statement' ? 'a statement' : ruleName === 'primary' ? 'an expression' : ruleName === 'file' ? TOP_LEVEL.slice('expected '.length) : summarize(firsts);
    return `expected ${what} but found ${shown(actual[0]!)}`;
  },
  buildEarlyExitMessage: ({ expectedIterationPaths, actual }) => {
    const firsts = new Set(expectedIterationPaths.map((path) => describe(path[0]!)));
    return `expected ${summarize(firsts)} but found ${shown(actual[0]!)}`;
  },
};

const RECORDING_SPAN: Span = { file: '', start: { line: 0, col: 0, offset: 0 }, end: { line: 0, col: 0, offset: 0 } };

class ArchParser extends EmbeddedActionsParser {
  source!: SourceFile;
  // Alternatives built once, not on every call (chevrotain's main performance advice): they close
  // over nothing but `this`. Rules whose alternatives capture locals build them per call.
  private statementAlts?: IOrAlt<A.Stmt>[];
  private notAlts?: IOrAlt<A.Expr>[];
  private comparisonAlts?: IOrAlt<IToken>[];
  private additiveAlts?: IOrAlt<IToken>[];
  private multiplicativeAlts?: IOrAlt<IToken>[];
  private unaryAlts?: IOrAlt<A.Expr>[];
  private primaryAlts?: IOrAlt<A.Expr>[];

  /** Grammar validation costs ~100 ms per start-up; the test suite runs it (validateGrammar). */
  constructor(skipValidations = true) {
    super(T.allTokens, { recoveryEnabled: true, errorMessageProvider: messages, maxLookahead: 3, skipValidations });
    this.performSelfAnalysis();
  }

  private spanOf(first: IToken, last: IToken): Span {
    if (!this.source) return RECORDING_SPAN; // grammar recording runs the rules without input
    const start = Number.isFinite(first.startOffset) ? first.startOffset : this.lastGoodOffset();
    const end = Number.isFinite(last.endOffset) ? last.endOffset! + 1 : start;
    return this.source.span(start, Math.max(start, end));
  }

  private tokenSpan(t: IToken): Span {
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

  private prev(): IToken {
    return this.LA(0);
  }

  file = this.RULE('file', () => {
    const items: (A.UseDecl | A.AllowDecl | A.Decl)[] = [];
    this.MANY(() => {
      this.OR([
        { ALT: () => items.push(this.SUBRULE(this.useDecl)) },
        // `allow` is a word only at the top level, so that files naming a tensor `allow` still parse.
        { GATE: () => this.LA(1).image === 'allow', ALT: () => items.push(this.SUBRULE(this.allowDecl)) },
        { ALT: () => items.push(this.SUBRULE(this.modelDecl)) },
        { ALT: () => items.push(this.SUBRULE(this.blockDecl)) },
      ]);
    });
    return items;
  });

  useDecl = this.RULE('useDecl', (): A.UseDecl => {
    const kw = this.CONSUME(T.Use);
    const path = this.CONSUME(T.StringLit);
    return { kind: 'use', path: unquote(path.image), pathSpan: this.tokenSpan(path), span: this.spanOf(kw, path) };
  });

  allowDecl = this.RULE('allowDecl', (): A.AllowDecl => {
    const kw = this.CONSUME(T.Identifier);
    const codes: { code: string; span: Span }[] = [];
    this.AT_LEAST_ONE_SEP({
      SEP: T.Comma,
      DEF: () => {
        const t = this.CONSUME2(T.Identifier);
        codes.push({ code: t.image, span: this.tokenSpan(t) });
      },
    });
    return { kind: 'allow', codes, span: this.spanOf(kw, this.prev()) };
  });

  modelDecl = this.RULE('modelDecl', (): A.ModelDecl => {
    const kw = this.CONSUME(T.Model);
    const name = this.CONSUME(T.Identifier);
    let params: A.Param[] = [];
    this.OPTION(() => {
      params = this.SUBRULE(this.paramList);
    });
    const body = this.SUBRULE(this.body);
    return {
      kind: 'model', name: name.image, nameSpan: this.tokenSpan(name), params, body,
      span: this.spanOf(kw, this.prev()),
    };
  });

  blockDecl = this.RULE('blockDecl', (): A.BlockDecl => {
    const kw = this.CONSUME(T.Block);
    const name = this.CONSUME(T.Identifier);
    const params = this.SUBRULE(this.paramList);
    const body = this.SUBRULE(this.body);
    return {
      kind: 'block', name: name.image, nameSpan: this.tokenSpan(name), params, body,
      span: this.spanOf(kw, this.prev()),
    };
  });

  paramList = this.RULE('paramList', (): A.Param[] => {
    const params: A.Param[] = [];
    this.CONSUME(T.LParen);
    this.MANY_SEP({
      SEP: T.Comma,
      DEF: () => {
        const name = this.CONSUME(T.Identifier);
        let annotation: A.Expr | undefined;
        let def: A.Expr | undefined;
        this.OPTION2(() => {
          this.CONSUME(T.Colon);
          annotation = this.SUBRULE2(this.expression);
        });
        this.OPTION(() => {
          this.CONSUME(T.Equals);
          def = this.SUBRULE(this.expression);
        });
        params.push({ name: name.image, annotation, default: def, span: this.spanOf(name, this.prev()) });
      },
    });
    this.CONSUME(T.RParen);
    return params;
  });

  body = this.RULE('body', (): A.Stmt[] => {
    const stmts: A.Stmt[] = [];
    this.CONSUME(T.LBrace);
    this.MANY(() => {
      const s = this.SUBRULE(this.statement);
      if (s) stmts.push(s);
    });
    this.CONSUME(T.RBrace);
    return stmts;
  });

  statement = this.RULE(
    'statement',
    (): A.Stmt =>
      this.OR(this.statementAlts ??= [
        { ALT: () => this.SUBRULE(this.inputStmt) },
        { ALT: () => this.SUBRULE(this.outputStmt) },
        { ALT: () => this.SUBRULE(this.returnStmt) },
        { ALT: () => this.SUBRULE(this.expectStmt) },
        { ALT: () => this.SUBRULE(this.forStmt) },
        { ALT: () => this.SUBRULE(this.frozenStmt) },
        {
          GATE: () => this.LA(2).tokenType === T.Equals || this.LA(2).tokenType === T.Comma,
          ALT: () => this.SUBRULE(this.assignStmt),
        },
        { ALT: () => this.SUBRULE(this.exprStmt) },
      ]),
    { recoveryValueFunc: () => undefined as unknown as A.Stmt },
  );

  inputStmt = this.RULE('inputStmt', (): A.InputStmt => {
    const kw = this.CONSUME(T.Input);
    const name = this.CONSUME(T.Identifier);
    this.CONSUME(T.Colon);
    const shape = this.SUBRULE(this.expression);
    let fallback: A.Expr | undefined;
    this.OPTION(() => {
      this.CONSUME(T.Equals);
      fallback = this.SUBRULE2(this.expression);
    });
    return { kind: 'input', name: name.image, nameSpan: this.tokenSpan(name), shape, default: fallback, span: this.spanOf(kw, this.prev()) };
  });

  outputStmt = this.RULE('outputStmt', (): A.OutputStmt => {
    const kw = this.CONSUME(T.Output);
    const name = this.CONSUME(T.Identifier);
    let value: A.Expr | undefined;
    let annotation: A.Expr | undefined;
    this.OPTION(() => {
      this.CONSUME(T.Equals);
      value = this.SUBRULE(this.expression);
    });
    this.OPTION2(() => {
      this.CONSUME(T.Colon);
      annotation = this.SUBRULE2(this.expression);
    });
    return {
      kind: 'output', name: name.image, nameSpan: this.tokenSpan(name), value, annotation,
      span: this.spanOf(kw, this.prev()),
    };
  });

  assignStmt = this.RULE('assignStmt', (): A.AssignStmt => {
    const targets: { name: string; span: Span }[] = [];
    const first = this.CONSUME(T.Identifier);
    targets.push({ name: first.image, span: this.tokenSpan(first) });
    this.MANY(() => {
      this.CONSUME(T.Comma);
      const t = this.CONSUME2(T.Identifier);
      targets.push({ name: t.image, span: this.tokenSpan(t) });
    });
    this.CONSUME(T.Equals);
    const value = this.SUBRULE(this.expression);
    let annotation: A.Expr | undefined;
    this.OPTION(() => {
      this.CONSUME(T.Colon);
      annotation = this.SUBRULE2(this.expression);
    });
    return { kind: 'assign', targets, value, annotation, span: this.spanOf(first, this.prev()) };
  });

  returnStmt = this.RULE('returnStmt', (): A.ReturnStmt => {
    const kw = this.CONSUME(T.Return);
    const values: A.Expr[] = [];
    this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => values.push(this.SUBRULE(this.expression)) });
    return { kind: 'return', values, span: this.spanOf(kw, this.prev()) };
  });

  expectStmt = this.RULE('expectStmt', (): A.ExpectStmt => {
    const kw = this.CONSUME(T.Expect);
    const condition = this.SUBRULE(this.expression);
    return { kind: 'expect', condition, span: this.spanOf(kw, this.prev()) };
  });

  forStmt = this.RULE('forStmt', (): A.ForStmt => {
    const kw = this.CONSUME(T.For);
    const v = this.CONSUME(T.Identifier);
    this.CONSUME(T.In);
    const from = this.SUBRULE(this.expression);
    let to: A.Expr | undefined;
    this.OPTION(() => {
      this.CONSUME(T.DotDot);
      to = this.SUBRULE2(this.expression);
    });
    const body = this.SUBRULE(this.body);
    return {
      kind: 'for', variable: v.image, variableSpan: this.tokenSpan(v), from, to, body,
      span: this.spanOf(kw, this.prev()),
    };
  });

  frozenStmt = this.RULE('frozenStmt', (): A.FrozenStmt => {
    const kw = this.CONSUME(T.Frozen);
    const body = this.SUBRULE(this.body);
    return { kind: 'frozen', body, span: this.spanOf(kw, this.prev()) };
  });

  exprStmt = this.RULE('exprStmt', (): A.ExprStmt => {
    const expr = this.SUBRULE(this.expression);
    return { kind: 'expr', expr, span: expr?.span };
  });

  // Precedence, loosest first: |>, or, and, not, comparison, + -, * / %, unary -, postfix, primary.
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

  private binary(op: A.BinaryOp, token: IToken, left: A.Expr, right: A.Expr): A.Expr {
    return { kind: 'binary', op, opSpan: this.tokenSpan(token), left, right, span: this.join(left, right) };
  }

  private join(a: A.Expr, b: A.Expr): Span {
    if (!a?.span || !b?.span) return this.tokenSpan(this.prev());
    return { file: a.span.file, start: a.span.start, end: b.span.end };
  }

  private joinTok(a: A.Expr, t: IToken): Span {
    if (!a?.span) return this.tokenSpan(t);
    return { file: a.span.file, start: a.span.start, end: this.tokenSpan(t).end };
  }
}

function unquote(image: string): string {
  return image.slice(1, -1).replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : c));
}

let shared: ArchParser | undefined;

/** Builds the parser with chevrotain's grammar checks on; throws if the grammar is ambiguous. */
export function validateGrammar(): void {
  new ArchParser(false);
}

export interface ParseResult {
  readonly file: A.ArchFile;
  readonly errors: SyntaxError[];
}

const emptyFile = (source: SourceFile): A.ArchFile => ({ path: source.path, uses: [], allows: [], decls: [], comments: [], items: [] });

/** Whether parsing `source` needs more stack than V8's default (brackets nested past 100 levels). */
export function nestedPastDefaultStack(source: SourceFile): boolean {
  return nestedTooDeep(T.lexer.tokenize(source.text).tokens, MAX_BRACKETS_ON_DEFAULT_STACK, false) !== undefined;
}

/**
 * Parses one file. Never throws for bad input: syntax problems come back as errors. Brackets nested
 * deeper than the default stack holds are parsed on a larger one where the host offers it
 * (`onLargeStack` says this call already runs there).
 */
export function parse(source: SourceFile, options: { onLargeStack?: boolean } = {}): ParseResult {
  const lexed = T.lexer.tokenize(source.text);
  const errors: SyntaxError[] = lexed.errors.map((e) => ({
    code: 'E0101',
    message: `unexpected character '${source.text.slice(e.offset, e.offset + e.length).slice(0, 1)}'`,
    span: source.span(e.offset, e.offset + Math.max(1, Math.min(e.length, 1))),
  }));
  const run = options.onLargeStack ? undefined : largeStackRunner();
  const largeStack = run && ((s: SourceFile) => run('parse', s) as ParseResult | undefined);
  const tooDeepAt = (token: IToken | undefined, what: string): ParseResult => {
    const at = token ? token.startOffset : 0;
    const message = `${what}; archc stops reading the file`;
    return { file: emptyFile(source), errors: [...errors, { code: 'E0104', message, span: source.span(at, at + 1) }] };
  };
  const beyond = (limit: number, what: string) => `${what} nested deeper than ${limit.toLocaleString('en-US')} levels here`;
  const overLimit = nestedTooDeep(lexed.tokens, MAX_BRACKETS);
  if (overLimit) return tooDeepAt(overLimit, beyond(MAX_BRACKETS, 'brackets or prefix operators are'));
  // Prefix operators recurse cheaply (one rule, not ten): runs of them are left to the stack check below.
  const deep = nestedTooDeep(lexed.tokens, MAX_BRACKETS_ON_DEFAULT_STACK, false);
  if (deep && !largeStack && !options.onLargeStack) return tooDeepAt(deep, beyond(MAX_BRACKETS_ON_DEFAULT_STACK, 'brackets are'));
  const unread = 'the code here is nested too deeply for archc to read';
  if (largeStack && deep) return largeStack(source) ?? tooDeepAt(deepestToken(lexed.tokens), `${unread} (the thread that reads deeply nested files did not start)`);
  const parser = (shared ??= new ArchParser());
  parser.source = source;
  parser.input = lexed.tokens;
  let parsed: ReturnType<ArchParser['file']>;
  try {
    parsed = parser.file();
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    parser.input = [];
    return largeStack?.(source) ?? tooDeepAt(deepestToken(lexed.tokens), unread);
  }
  const items = (parsed ?? []).filter(Boolean).filter((item) => {
    if (item.kind !== 'model' && item.kind !== 'block') return true;
    const deep = tooDeep(item);
    if (deep) errors.push({ code: 'E0104', message: `the code here is nested deeper than ${MAX_TREE_DEPTH.toLocaleString('en-US')} levels (expressions, ifs, loops, or a long chain of operators or stages); '${item.name}' is left out`, span: deep });
    return !deep;
  });
  for (const e of parser.errors) {
    const t = e.token;
    const prev = (e as { previousToken?: IToken }).previousToken;
    // A token missing at the end of a line is reported there, not at the next line's first token.
    const missingAtEol =
      e.name === 'MismatchedTokenException' && prev && Number.isFinite(prev.endOffset) && Number.isFinite(t.startOffset) && (t.startLine ?? 0) > (prev.endLine ?? 0);
    if (missingAtEol) {
      const at = prev.endOffset! + 1;
      errors.push({ code: 'E0102', message: e.message, span: source.span(at, at) });
      continue;
    }
    const offset = Number.isFinite(t.startOffset) ? t.startOffset : previousOffset(prev, source);
    const end = Number.isFinite(t.endOffset) ? t.endOffset! + 1 : offset + 1;
    errors.push({ code: 'E0102', message: e.message, span: source.span(offset, Math.min(end, source.text.length)) });
  }
  const comments: A.Comment[] = (lexed.groups['comments'] ?? []).map((t) => ({
    text: t.image,
    span: source.span(t.startOffset, t.endOffset! + 1),
  }));
  const uses = items.filter((i): i is A.UseDecl => i.kind === 'use');
  const allows = items.filter((i): i is A.AllowDecl => i.kind === 'allow');
  const decls = items.filter((i): i is A.Decl => i.kind === 'model' || i.kind === 'block');
  return { file: { path: source.path, uses, allows, decls, comments, items }, errors };
}

function previousOffset(prev: IToken | undefined, source: SourceFile): number {
  if (prev && Number.isFinite(prev.endOffset)) return prev.endOffset! + 1;
  return source.text.length;
}
