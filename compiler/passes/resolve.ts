// resolve: static name checks over every loaded module before anything is evaluated. Reports
// unknown names (with the closest match), and warns about unused tensors and block parameters.
import type * as A from '../../dsl/ast.js';
import type { Span } from '../../dsl/source.js';
import { closestMatch, diagnostic, type Diagnostic } from '../diagnostics.js';
import type { Module } from '../loader.js';
import { ops } from '../ops/registry.js';
import { builtins } from '../builtins.js';
import { EXPECT_COUNTERS } from '../expand/index.js';

export function resolve(modules: Iterable<Module>): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const m of modules) for (const d of resolveModule(m)) out.push(d); // no spread: 130k blocks
  return out;
}

/** The result depends on the parsed file and the names in its scope only: a zoo-wide check reuses it. */
const cache = new WeakMap<A.ArchFile, { scope: string; diagnostics: Diagnostic[] }>();

function resolveModule(m: Module): Diagnostic[] {
  const scope = [...m.scope.keys()].join('\n');
  const hit = cache.get(m.ast);
  if (hit && hit.scope === scope) return hit.diagnostics;
  const diagnostics: Diagnostic[] = [];
  for (const decl of m.ast.decls) checkDecl(decl, m, diagnostics);
  cache.set(m.ast, { scope, diagnostics });
  return diagnostics;
}

/** "did you mean" for the first few unknown names of a declaration only: each costs a scan of every name in scope. */
const SUGGESTED_UNKNOWNS = 20;

/**
 * A parameter, input or output named twice is an error: the second would silently shadow the first,
 * and an ONNX graph with two inputs or outputs of one name is refused by every runtime.
 */
function checkDuplicates(decl: A.Decl, out: Diagnostic[]): void {
  const seen = (what: (name: string) => string, items: readonly { name: string; span: Span }[]): void => {
    const first = new Map<string, Span>();
    for (const { name, span } of items) {
      const earlier = first.get(name);
      if (!earlier) first.set(name, span);
      else out.push(diagnostic('E0205', `${what(name)} is declared twice`, span, { related: [{ span: earlier, message: 'first declared here' }], hint: `rename one of them` }));
    }
  };
  seen((name) => `the parameter '${name}' of ${decl.kind} '${decl.name}'`, decl.params.map((p) => ({ name: p.name, span: p.span })));
  if (decl.kind !== 'model') return;
  const inputs: { name: string; span: Span }[] = [];
  const outputs: { name: string; span: Span }[] = [];
  walkStmts(decl.body, (s) => {
    if (s.kind === 'input') inputs.push({ name: s.name, span: s.nameSpan });
    if (s.kind === 'output') outputs.push({ name: s.name, span: s.nameSpan });
  });
  seen((name) => `the input '${name}'`, inputs);
  seen((name) => `the output '${name}'`, outputs);
}

function checkDecl(decl: A.Decl, module: Module, out: Diagnostic[]): void {
  checkDuplicates(decl, out);
  let unknowns = 0;
  const declared = new Map<string, Span>();
  for (const p of decl.params) declared.set(p.name, p.span);
  // The names of a signature (`x: [C, H, W]`) are bound at each call, like parameters.
  for (const p of decl.params) for (const v of signatureNames(p.annotation)) if (!declared.has(v.name)) declared.set(v.name, v.span);
  collectDeclared(decl.body, declared);
  const used = new Set<string>();
  const known = (name: string) => declared.has(name) || module.scope.has(name) || Object.hasOwn(ops, name) || Object.hasOwn(builtins, name);
  const visitExpr = (e: A.Expr, inExpect: boolean): void => {
    walkExpr(e, (n) => {
      used.add(n.name);
      if (known(n.name) || (inExpect && (EXPECT_COUNTERS as readonly string[]).includes(n.name))) return;
      const match = unknowns++ < SUGGESTED_UNKNOWNS ? closestMatch(n.name, [...declared.keys(), ...module.scope.keys(), ...Object.keys(ops), ...Object.keys(builtins)]) : undefined;
      out.push(diagnostic('E0201', `unknown name '${n.name}'`, n.span, { hint: match ? `did you mean '${match}'?` : undefined }));
    });
  };
  for (const p of decl.params) {
    if (p.default) visitExpr(p.default, false);
    if (p.annotation) visitExpr(p.annotation, false);
  }
  walkStmts(decl.body, (s) => {
    for (const e of stmtExprs(s)) visitExpr(e, s.kind === 'expect' && decl.kind === 'model');
    if (s.kind === 'output' && !s.value) used.add(s.name);
  });
  // Unused names: a tensor computed and never read is usually a forgotten skip connection.
  const assigned = new Map<string, Span>();
  walkStmts(decl.body, (s) => {
    if (s.kind === 'assign') for (const t of s.targets) assigned.set(t.name, t.span);
  });
  for (const [name, span] of assigned) {
    if (used.has(name) || name.startsWith('_')) continue;
    out.push(diagnostic('W0103', `'${name}' is assigned but never used`, span, { hint: `use it, or name it _${name} to say it is deliberately unused` }));
  }
  if (decl.kind === 'block') {
    for (const p of decl.params) {
      if (used.has(p.name) || p.name.startsWith('_')) continue;
      out.push(diagnostic('W0104', `block parameter '${p.name}' is never used`, p.span, { hint: `remove it, or name it _${p.name}` }));
    }
  }
}

function collectDeclared(body: readonly A.Stmt[], into: Map<string, Span>): void {
  walkStmts(body, (s) => {
    if (s.kind === 'assign') for (const t of s.targets) into.set(t.name, t.span);
    if (s.kind === 'input' || s.kind === 'output') into.set(s.name, s.nameSpan);
    if (s.kind === 'input') for (const v of sizeVariableNames(s)) if (!into.has(v.name)) into.set(v.name, v.span);
    if (s.kind === 'for') into.set(s.variable, s.variableSpan);
  });
}

/** Visits statements, including those nested in for, frozen and if-branches. */
export function walkStmts(body: readonly A.Stmt[], visit: (s: A.Stmt) => void): void {
  for (const s of body) {
    visit(s);
    if (s.kind === 'for' || s.kind === 'frozen') walkStmts(s.body, visit);
    for (const e of stmtExprs(s)) {
      walkIfs(e, (branch) => walkStmts(branch, visit));
    }
  }
}

function walkIfs(e: A.Expr, visit: (branch: readonly A.Stmt[]) => void): void {
  forEachChild(e, (c) => walkIfs(c, visit));
  if (e.kind === 'if') {
    visit(e.then);
    if (e.else) visit(e.else);
  }
}

export function stmtExprs(s: A.Stmt): A.Expr[] {
  switch (s.kind) {
    case 'input':
      return [s.shape, s.default].filter((e): e is A.Expr => e !== undefined);
    case 'output':
      return [s.value, s.annotation].filter((e): e is A.Expr => e !== undefined);
    case 'assign':
      return [s.value, s.annotation].filter((e): e is A.Expr => e !== undefined);
    case 'return':
      return s.values;
    case 'expect':
      return [s.condition];
    case 'for':
      return [s.from, s.to].filter((e): e is A.Expr => e !== undefined);
    case 'frozen':
      return [];
    case 'expr':
      return [s.expr];
  }
}

/** Visits every name reference in an expression, without entering if-branch statements. */
function walkExpr(e: A.Expr, visit: (n: A.NameRef) => void): void {
  if (e.kind === 'name') visit(e);
  forEachChild(e, (c) => walkExpr(c, visit));
}

function forEachChild(e: A.Expr, f: (c: A.Expr) => void): void {
  switch (e.kind) {
    case 'list':
      e.items.forEach(f);
      break;
    case 'member':
      f(e.object);
      break;
    case 'index':
      f(e.object);
      f(e.index);
      break;
    case 'call':
      f(e.callee);
      e.args.forEach((a) => f(a.value));
      break;
    case 'pipe':
      f(e.lhs);
      f(e.rhs);
      break;
    case 'binary':
      f(e.left);
      f(e.right);
      break;
    case 'unary':
      f(e.operand);
      break;
    case 'if':
      f(e.condition);
      break;
    default:
      break;
  }
}

/**
 * The bare names in an input's shape list (`[3, H, W]`): they declare size variables, unless the
 * model defines them otherwise (a parameter `size` in `[3, size, size]` stays a parameter).
 */
export function sizeVariableNames(s: A.InputStmt): { name: string; span: Span; axis: number }[] {
  return signatureNames(s.shape);
}

/** The bare names of a shape list (`[C, H, W]`, `[C/2, 2*H, 2*W]` has none), with their axes. */
export function signatureNames(shape: A.Expr | undefined): { name: string; span: Span; axis: number }[] {
  if (shape?.kind !== 'list') return [];
  return shape.items.flatMap((e, axis) => (e.kind === 'name' ? [{ name: e.name, span: e.span, axis }] : []));
}
