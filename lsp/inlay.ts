// Inlay hints: the shape after each assignment, at the end of the statement (skipped where the
// statement already carries a `: [..]` annotation), in terms of the size variables where the model has them.
import { InlayHintKind, type InlayHint, type Range } from 'vscode-languageserver';
import type * as A from '../dsl/ast.js';
import { bindingShapes } from './hover.js';
import { toRange } from './spans.js';
import { defaultSizes, describeShapes, symbolic } from './shapes.js';
import type { SyntaxIndex } from './syntax.js';
import type { Compiled } from './compiled.js';

export function inlayHints(syntax: SyntaxIndex, compiled: Compiled | undefined, range: Range): InlayHint[] {
  if (!compiled) return [];
  const hints: InlayHint[] = [];
  const done = new Set<A.Stmt>();
  const sizes = defaultSizes(compiled.outcome.models);
  for (const o of syntax.occurrences) {
    const s = o.stmt;
    if (!o.binds || !s || done.has(s)) continue;
    done.add(s);
    if (!((s.kind === 'assign' && s.targets.length === 1) || (s.kind === 'output' && s.value)) || s.annotation) continue;
    const end = toRange(s.span).end;
    if (end.line < range.start.line || end.line > range.end.line) continue;
    const shapes = bindingShapes(o, syntax, compiled);
    const label = describeShapes(symbolic(shapes), 2);
    if (!label) continue;
    // With size variables the label is symbolic (`[64, H/4, W/4]`); the tooltip gives the defaults.
    const concrete = describeShapes(shapes, 2);
    const tooltip = concrete !== label && sizes ? `${concrete} at ${sizes}` : undefined;
    hints.push({ position: end, label: `: ${label}`, kind: InlayHintKind.Type, paddingLeft: true, ...(tooltip ? { tooltip } : {}) });
  }
  return hints;
}
