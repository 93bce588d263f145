// Inlay hints: the shape after each assignment, at the end of the statement (skipped where the
// statement already carries a `: [..]` annotation).
import { InlayHintKind, type InlayHint, type Range } from 'vscode-languageserver';
import type * as A from '../dsl/ast.js';
import { bindingShapes } from './hover.js';
import { toRange } from './spans.js';
import { describeShapes } from './shapes.js';
import type { SyntaxIndex } from './syntax.js';
import type { Compiled } from './workspace.js';

export function inlayHints(syntax: SyntaxIndex, compiled: Compiled | undefined, range: Range): InlayHint[] {
  if (!compiled) return [];
  const hints: InlayHint[] = [];
  const done = new Set<A.Stmt>();
  for (const o of syntax.occurrences) {
    const s = o.stmt;
    if (!o.binds || !s || done.has(s)) continue;
    done.add(s);
    if (!((s.kind === 'assign' && s.targets.length === 1) || (s.kind === 'output' && s.value)) || s.annotation) continue;
    const end = toRange(s.span).end;
    if (end.line < range.start.line || end.line > range.end.line) continue;
    const label = describeShapes(bindingShapes(o, syntax, compiled), 2);
    if (label) hints.push({ position: end, label: `: ${label}`, kind: InlayHintKind.Type, paddingLeft: true });
  }
  return hints;
}
