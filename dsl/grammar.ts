// The grammar's declarations and statements (file, use, allow, model, block, parameters, bodies,
// input/output/assign/return/expect/for/frozen statements) on top of the expression grammar
// (grammar-expressions.ts). An EmbeddedActionsParser: each rule returns its AST node directly.
// Every file is read first by direct-parser.ts, which builds the same tree on far less stack; this
// grammar reads again the files with syntax errors, for its recovery and messages. A change to the
// language is made in both (tests/unit/direct-parser.test.ts checks that they agree).
import type { IOrAlt } from 'chevrotain';
import * as T from './tokens.js';
import type * as A from './ast.js';
import type { Span } from './source.js';
import { ExpressionGrammar, unquote } from './grammar-expressions.js';
import { messages } from './parse-messages.js';

export class ArchParser extends ExpressionGrammar {
  private statementAlts?: IOrAlt<A.Stmt>[];

  /** Grammar validation costs ~100 ms per start-up; the test suite runs it (validateGrammar). */
  constructor(skipValidations = true, recoveryEnabled = true) {
    super({ recoveryEnabled, errorMessageProvider: messages, maxLookahead: 3, skipValidations });
    this.performSelfAnalysis();
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

}
