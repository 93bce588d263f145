// What the editor features need from the AST alone (no compilation): every name occurrence with
// whether it binds or reads, the declaration it sits in, the calls, and the statements that assign.
// Works on the partial AST the parser recovers from a file with syntax errors.
import type * as A from '../dsl/ast.js';
import type { Span } from '../dsl/source.js';
import { contains } from './spans.js';

export interface Occurrence {
  readonly name: string;
  readonly span: Span;
  /** Binds the name (parameter, input, output, assignment target, loop variable) or reads it. */
  readonly binds: boolean;
  readonly decl: A.Decl;
  /** For a binding: the statement (or parameter) that binds it. */
  readonly stmt?: A.Stmt;
  /** For a read that is the callee of a call (`conv(...)`, `|> bn`): the call's span. */
  readonly callSpan?: Span;
}

export interface Call {
  /** The name called (`conv`, `bottleneck`), when the callee is a plain name. */
  readonly name: string;
  readonly calleeSpan: Span;
  /** The span the compiler records for this call on IR nodes and call stacks. */
  readonly span: Span;
  /** Argument list, if written with parentheses. */
  readonly args: readonly A.Arg[];
  /** Whether a tensor is piped in as the first argument (`x |> conv(...)`). */
  readonly piped: boolean;
  readonly decl: A.Decl;
}

export interface SyntaxIndex {
  readonly file: A.ArchFile;
  readonly occurrences: readonly Occurrence[];
  readonly calls: readonly Call[];
}

export function indexSyntax(file: A.ArchFile): SyntaxIndex {
  const occurrences: Occurrence[] = [];
  const calls: Call[] = [];
  for (const decl of file.decls) {
    for (const p of decl.params ?? []) {
      const span = { ...p.span, end: { ...p.span.start, col: p.span.start.col + p.name.length, offset: p.span.start.offset + p.name.length } };
      occurrences.push({ name: p.name, span, binds: true, decl });
      if (p.default) expr(p.default, decl);
    }
    stmts(decl.body, decl);
  }

  // Index loops, not for-of: nested `if`s and loops recurse through here, and each frame saved is
  // more levels on a browser's stack (dsl/depth-limits.ts).
  function stmts(body: readonly A.Stmt[] | undefined, decl: A.Decl): void {
    if (body) for (let i = 0; i < body.length; i++) stmt(body[i], decl);
  }

  // The parser's recovery can leave parts of a node out: every walker step tolerates a hole.
  function stmt(s: A.Stmt | undefined, decl: A.Decl): void {
    if (!s) return;
    switch (s.kind) {
      case 'input':
        occurrences.push({ name: s.name, span: s.nameSpan, binds: true, decl, stmt: s });
        expr(s.shape, decl);
        expr(s.default, decl);
        return;
      case 'output':
        if (s.value) expr(s.value, decl);
        if (s.annotation) expr(s.annotation, decl);
        // `output y` names an existing tensor: a read; `output y = ...` binds.
        occurrences.push({ name: s.name, span: s.nameSpan, binds: s.value !== undefined, decl, stmt: s });
        return;
      case 'assign':
        expr(s.value, decl);
        if (s.annotation) expr(s.annotation, decl);
        for (const t of s.targets ?? []) occurrences.push({ name: t.name, span: t.span, binds: true, decl, stmt: s });
        return;
      case 'return':
        for (const v of s.values ?? []) expr(v, decl);
        return;
      case 'expect':
        expr(s.condition, decl);
        return;
      case 'for':
        expr(s.from, decl);
        if (s.to) expr(s.to, decl);
        occurrences.push({ name: s.variable, span: s.variableSpan, binds: true, decl, stmt: s });
        stmts(s.body, decl);
        return;
      case 'frozen':
        stmts(s.body, decl);
        return;
      case 'expr':
        expr(s.expr, decl);
        return;
    }
  }

  function callee(e: A.Expr | undefined, span: Span, args: readonly A.Arg[] | undefined, piped: boolean, decl: A.Decl): void {
    args ??= [];
    if (e?.kind === 'name') {
      occurrences.push({ name: e.name, span: e.span, binds: false, decl, callSpan: span });
      calls.push({ name: e.name, calleeSpan: e.span, span, args, piped, decl });
    } else expr(e, decl);
    for (const a of args) expr(a?.value, decl);
  }

  function expr(e: A.Expr | undefined, decl: A.Decl): void {
    if (!e) return;
    switch (e.kind) {
      case 'name':
        occurrences.push({ name: e.name, span: e.span, binds: false, decl });
        return;
      case 'list':
        if (e.items) for (let i = 0; i < e.items.length; i++) expr(e.items[i], decl);
        return;
      case 'member':
        expr(e.object, decl);
        return;
      case 'index':
        expr(e.object, decl);
        expr(e.index, decl);
        return;
      case 'call':
        callee(e.callee, e.span, e.args, false, decl);
        return;
      case 'pipe':
        expr(e.lhs, decl);
        // The compiler records a piped call at the rhs: the call expression or the bare name.
        if (e.rhs?.kind === 'call') callee(e.rhs.callee, e.rhs.span, e.rhs.args, true, decl);
        else if (e.rhs?.kind === 'name') callee(e.rhs, e.rhs.span, [], true, decl);
        else expr(e.rhs, decl);
        return;
      case 'binary':
        expr(e.left, decl);
        expr(e.right, decl);
        return;
      case 'unary':
        expr(e.operand, decl);
        return;
      case 'if':
        expr(e.condition, decl);
        if (e.then) for (let i = 0; i < e.then.length; i++) stmt(e.then[i], decl);
        if (e.else) for (let i = 0; i < e.else.length; i++) stmt(e.else[i], decl);
        return;
      default:
        return;
    }
  }

  return { file, occurrences, calls };
}

/** The name occurrence under the cursor. */
export const occurrenceAt = (index: SyntaxIndex, offset: number): Occurrence | undefined =>
  index.occurrences.find((o) => contains(o.span, offset));

/** The declaration whose text holds the offset. */
export const declAt = (file: A.ArchFile, offset: number): A.Decl | undefined => file.decls.find((d) => contains(d.span, offset));

/** Whether `decl` binds `name` anywhere (then every use of the name in it is local). */
export const bindsLocally = (index: SyntaxIndex, decl: A.Decl, name: string): boolean =>
  index.occurrences.some((o) => o.decl === decl && o.binds && o.name === name);

/** The binding a read refers to: the nearest binding at or before it in the same declaration. */
export function bindingOf(index: SyntaxIndex, occ: Occurrence): Occurrence | undefined {
  if (occ.binds) return occ;
  let best: Occurrence | undefined;
  for (const o of index.occurrences) {
    if (o.decl !== occ.decl || !o.binds || o.name !== occ.name) continue;
    // A read inside `x = x |> f` sees the previous x, not the statement's own target; a loop
    // variable is seen inside its loop.
    const stmtSpan = o.stmt?.span;
    const before = o.span.start.offset < occ.span.start.offset && !(stmtSpan && contains(stmtSpan, occ.span.start.offset) && o.stmt?.kind !== 'for');
    if (before && (!best || o.span.start.offset > best.span.start.offset)) best = o;
  }
  // A use inside a loop body may read a binding written later in the same body (the previous
  // iteration's value); failing a binding before it, take the first one.
  return best ?? index.occurrences.find((o) => o.decl === occ.decl && o.binds && o.name === occ.name);
}

/** The spans whose IR nodes hold an expression's tensor result (several for an `if`). */
export function resultSpans(e: A.Expr): { spans: Span[]; alias?: A.NameRef } {
  switch (e.kind) {
    case 'pipe':
      return e.rhs.kind === 'call' || e.rhs.kind === 'name' ? { spans: [e.rhs.span] } : resultSpans(e.rhs);
    case 'call':
    case 'binary':
    case 'unary':
      return { spans: [e.span] };
    case 'name':
      return { spans: [], alias: e };
    case 'if': {
      const spans: Span[] = [];
      let alias: A.NameRef | undefined;
      for (const branch of [e.then, e.else ?? []]) {
        const last = branch.at(-1);
        if (last?.kind !== 'expr') continue;
        const r = resultSpans(last.expr);
        spans.push(...r.spans);
        alias ??= r.alias;
      }
      return { spans, alias };
    }
    default:
      return { spans: [] };
  }
}

/** The comment lines right above a declaration (its documentation). */
export function docComment(file: A.ArchFile, decl: A.Decl): string | undefined {
  const lines: string[] = [];
  let line = decl.span.start.line - 1;
  const byEndLine = new Map(file.comments.map((c) => [c.span.end.line, c]));
  for (;;) {
    const c = byEndLine.get(line);
    if (!c) break;
    lines.unshift(c.text.replace(/^\/\/\s?|^\/\*+\s?|\s*\*+\/$/g, '').trim());
    line = c.span.start.line - 1;
  }
  const text = lines.join('\n').trim();
  return text || undefined;
}
