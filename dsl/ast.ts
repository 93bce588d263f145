// The typed AST. Every node carries the span of the text it came from; no chevrotain types leak out.
import type { Span } from './source.js';

export interface Node {
  readonly span: Span;
}

export interface Comment {
  readonly text: string; // including the leading `//` or `/*`
  readonly span: Span;
}

export interface ArchFile {
  readonly path: string;
  readonly uses: UseDecl[];
  /** File-wide `allow W0102` lines: warnings the author silenced deliberately. */
  readonly allows: AllowDecl[];
  readonly decls: Decl[];
  readonly comments: Comment[];
  /** Order of top-level items as written, for the formatter. */
  readonly items: (UseDecl | AllowDecl | Decl)[];
}

export interface UseDecl extends Node {
  readonly kind: 'use';
  readonly path: string;
  readonly pathSpan: Span;
}

/** `allow W0102, W0105`: these warnings are not reported anywhere in this file. */
export interface AllowDecl extends Node {
  readonly kind: 'allow';
  readonly codes: { readonly code: string; readonly span: Span }[];
}

export type Decl = ModelDecl | BlockDecl;

export interface Param extends Node {
  readonly name: string;
  /** `x: [C, H, W]`: the tensor signature a block parameter declares (names bind at the call). */
  readonly annotation?: Expr;
  readonly default?: Expr;
}

export interface ModelDecl extends Node {
  readonly kind: 'model';
  readonly name: string;
  readonly nameSpan: Span;
  readonly params: Param[];
  readonly body: Stmt[];
}

export interface BlockDecl extends Node {
  readonly kind: 'block';
  readonly name: string;
  readonly nameSpan: Span;
  readonly params: Param[];
  readonly body: Stmt[];
}

export type Stmt =
  | InputStmt
  | OutputStmt
  | AssignStmt
  | ReturnStmt
  | ExpectStmt
  | ForStmt
  | FrozenStmt
  | ExprStmt;

export interface InputStmt extends Node {
  readonly kind: 'input';
  readonly name: string;
  readonly nameSpan: Span;
  /** `[3, H, W]`: names that are not defined elsewhere are size variables. */
  readonly shape: Expr;
  /** `= [3, 224, 224]`: the size the model is built and counted at when the shape names variables. */
  readonly default?: Expr;
}

export interface OutputStmt extends Node {
  readonly kind: 'output';
  readonly name: string;
  readonly nameSpan: Span;
  readonly value?: Expr;
  readonly annotation?: Expr;
}

export interface AssignStmt extends Node {
  readonly kind: 'assign';
  readonly targets: { name: string; span: Span }[];
  readonly value: Expr;
  readonly annotation?: Expr;
}

export interface ReturnStmt extends Node {
  readonly kind: 'return';
  readonly values: Expr[];
}

export interface ExpectStmt extends Node {
  readonly kind: 'expect';
  readonly condition: Expr;
}

export interface ForStmt extends Node {
  readonly kind: 'for';
  readonly variable: string;
  readonly variableSpan: Span;
  readonly from: Expr;
  /** `for i in a..b` has `to`; `for w in list` has none. */
  readonly to?: Expr;
  readonly body: Stmt[];
}

export interface FrozenStmt extends Node {
  readonly kind: 'frozen';
  readonly body: Stmt[];
}

export interface ExprStmt extends Node {
  readonly kind: 'expr';
  readonly expr: Expr;
}

export type Expr =
  | NumberLit
  | StringLit
  | BoolLit
  | NoneLit
  | ListLit
  | NameRef
  | MemberExpr
  | IndexExpr
  | CallExpr
  | PipeExpr
  | BinaryExpr
  | UnaryExpr
  | IfExpr;

export interface NumberLit extends Node {
  readonly kind: 'number';
  readonly value: number;
  readonly isInt: boolean;
  readonly raw: string;
}

export interface StringLit extends Node {
  readonly kind: 'string';
  readonly value: string;
}

export interface BoolLit extends Node {
  readonly kind: 'bool';
  readonly value: boolean;
}

export interface NoneLit extends Node {
  readonly kind: 'none';
}

export interface ListLit extends Node {
  readonly kind: 'list';
  readonly items: Expr[];
}

export interface NameRef extends Node {
  readonly kind: 'name';
  readonly name: string;
}

export interface MemberExpr extends Node {
  readonly kind: 'member';
  readonly object: Expr;
  readonly property: string;
  readonly propertySpan: Span;
}

export interface IndexExpr extends Node {
  readonly kind: 'index';
  readonly object: Expr;
  readonly index: Expr;
}

export interface Arg extends Node {
  readonly name?: string;
  readonly value: Expr;
}

export interface CallExpr extends Node {
  readonly kind: 'call';
  readonly callee: Expr;
  readonly args: Arg[];
}

/** `lhs |> rhs`: rhs is a call (lhs becomes its first argument) or a callable value. */
export interface PipeExpr extends Node {
  readonly kind: 'pipe';
  readonly lhs: Expr;
  readonly rhs: Expr;
}

export type BinaryOp = '+' | '-' | '*' | '/' | '%' | '==' | '!=' | '<' | '<=' | '>' | '>=' | 'and' | 'or';

export interface BinaryExpr extends Node {
  readonly kind: 'binary';
  readonly op: BinaryOp;
  readonly opSpan: Span;
  readonly left: Expr;
  readonly right: Expr;
}

export interface UnaryExpr extends Node {
  readonly kind: 'unary';
  readonly op: '-' | 'not';
  readonly operand: Expr;
}

/** `if c { ... } else { ... }`: the value of a branch is its last expression statement. */
export interface IfExpr extends Node {
  readonly kind: 'if';
  readonly condition: Expr;
  readonly then: Stmt[];
  readonly else?: Stmt[];
}
