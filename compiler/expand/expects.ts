// `expect` lines. In a block they are checked at once; in a model they are deferred until the
// counters (params, MACs, ...) are known, and a failure shows expected, got and the difference.
import type * as A from '../../dsl/ast.js';
import { int, typeName } from '../values.js';
import { showFull } from './explain.js';
import { evaluate } from './expressions.js';
import type { Frame } from './frame.js';
import type { Expansion } from './state.js';

/** Names that model-level `expect` lines can use besides the model's own variables. */
export const EXPECT_COUNTERS = ['params', 'buffers', 'trainable', 'frozen_params', 'macs', 'flops'] as const;

export function deferExpect(x: Expansion, stmt: A.ExpectStmt, frame: Frame): void {
  x.expects.push({
    stmt,
    evaluate: (counters) => {
      const before = x.diagnostics.length;
      checkExpect(x, stmt, frame, counters);
      return x.diagnostics.splice(before)[0];
    },
  });
}

export function checkExpect(x: Expansion, stmt: A.ExpectStmt, frame: Frame, counters: Readonly<Record<string, number>>): void {
  const env = new Map(frame.env);
  for (const [k, v] of Object.entries(counters)) if (!env.has(k)) env.set(k, int(v));
  const scoped: Frame = { ...frame, env };
  const c = stmt.condition;
  const result = evaluate(x, c, scoped);
  if (result.kind === 'poison') return;
  if (result.kind !== 'bool') return x.report('E0203', `expect needs a true/false condition, got ${typeName(result)}`, c.span, frame);
  if (result.value) return;
  const text = frame.module.source.text.slice(c.span.start.offset, c.span.end.offset);
  const notes: string[] = [];
  if (c.kind === 'binary' && ['==', '!=', '<', '<=', '>', '>='].includes(c.op)) {
    const left = evaluate(x, c.left, scoped);
    const right = evaluate(x, c.right, scoped);
    notes.push(`expected: ${showFull(right)}`, `     got: ${showFull(left)}`);
    if ((left.kind === 'int' || left.kind === 'float') && (right.kind === 'int' || right.kind === 'float')) {
      const diff = left.value - right.value;
      notes.push(`    diff: ${diff > 0 ? '+' : ''}${diff.toLocaleString('en-US')}`);
    }
  }
  x.report('E0501', `expect failed: ${text}`, c.span, frame, { notes });
}
