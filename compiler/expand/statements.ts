// Statements of model and block bodies: inputs, outputs, assignments, returns, loops, frozen parts
// and shape annotations. `expect` lines are in expects.ts.
import type * as A from '../../dsl/ast.js';
import type { Span } from '../../dsl/source.js';
import { formatShape } from '../ir.js';
import { int, NONE, POISON, show, typeName, type Value } from '../values.js';
import { deferExpect, checkExpect } from './expects.js';
import { evaluate, lookup } from './expressions.js';
import type { Frame, ModelIo } from './frame.js';
import { addNode } from './graph.js';
import { loopWithinLimit } from './limits.js';
import { sizeVariableNames } from '../passes/resolve.js';
import { lookupOp } from '../ops/registry.js';
import { builtins } from '../builtins.js';
import type { Expansion } from './state.js';

/** Runs statements until one returns; the value of the last one (an `if` block's result). */
export function execBody(x: Expansion, body: readonly A.Stmt[], frame: Frame, io?: ModelIo): Value {
  let last: Value = NONE;
  for (let i = 0; i < body.length && frame.returned === undefined; i++) last = exec(x, body[i]!, frame, io);
  return last;
}

/** A thin dispatcher: nested loops and `if`s recurse through it, so its frame is kept small. */
function exec(x: Expansion, stmt: A.Stmt, frame: Frame, io?: ModelIo): Value {
  switch (stmt.kind) {
    case 'input':
      return execInput(x, stmt, frame, io), NONE;
    case 'output':
      return execOutput(x, stmt, frame, io), NONE;
    case 'assign':
      return execAssign(x, stmt, frame), NONE;
    case 'return':
      return execReturn(x, stmt, frame), NONE;
    case 'expect':
      if (frame.isModel) deferExpect(x, stmt, frame);
      else checkExpect(x, stmt, frame, {});
      return NONE;
    case 'for':
      return execFor(x, stmt, frame, io), NONE;
    case 'frozen':
      return execFrozen(x, stmt, frame, io), NONE;
    case 'expr':
      return evaluate(x, stmt.expr, frame);
  }
}

function execOutput(x: Expansion, stmt: A.OutputStmt, frame: Frame, io?: ModelIo): void {
  if (!io) return x.report('E0207', `'output' belongs in a model; a block returns its result with 'return'`, stmt.span, frame);
  const value = stmt.value ? evaluate(x, stmt.value, frame) : lookup(x, stmt.name, stmt.nameSpan, frame);
  if (stmt.value) frame.env.set(stmt.name, value);
  if (stmt.annotation) checkAnnotation(x, value, stmt.annotation, frame);
  if (value.kind === 'tensor') io.outputs.push({ name: stmt.name, node: value.node.id });
  else if (value.kind !== 'poison') x.report('E0207', `output '${stmt.name}' must be a tensor, got ${typeName(value)}`, stmt.span, frame);
}

function execAssign(x: Expansion, stmt: A.AssignStmt, frame: Frame): void {
  const value = evaluate(x, stmt.value, frame);
  if (stmt.targets.length === 1) frame.env.set(stmt.targets[0]!.name, value);
  else if (value.kind === 'list' && value.items.length === stmt.targets.length) {
    stmt.targets.forEach((t, i) => frame.env.set(t.name, value.items[i]!));
  } else {
    if (value.kind !== 'poison') {
      const got = value.kind === 'list' ? `${value.items.length} values` : typeName(value);
      x.report('E0207', `cannot unpack ${got} into ${stmt.targets.length} names`, stmt.span, frame);
    }
    for (const t of stmt.targets) frame.env.set(t.name, POISON);
  }
  if (stmt.annotation) checkAnnotation(x, value, stmt.annotation, frame);
}

function execReturn(x: Expansion, stmt: A.ReturnStmt, frame: Frame): void {
  if (frame.isModel) return x.report('E0207', `'return' belongs in a block; a model names its results with 'output'`, stmt.span, frame);
  const values = stmt.values.map((v) => evaluate(x, v, frame));
  frame.returned = values.length === 1 ? values[0]! : { kind: 'list', items: values };
}

function execFrozen(x: Expansion, stmt: A.FrozenStmt, frame: Frame, io?: ModelIo): void {
  const inner: Frame = { ...frame, frozen: true, returned: undefined };
  execBody(x, stmt.body, inner, io);
  frame.returned = inner.returned;
}

function execInput(x: Expansion, stmt: A.InputStmt, frame: Frame, io?: ModelIo): void {
  if (!io) return x.report('E0207', `'input' belongs in a model; a block takes tensors as parameters`, stmt.span, frame);
  const override = x.options.inputs?.[stmt.name];
  let shape: number[] | undefined;
  if (sizeVariablesOf(stmt, frame).length > 0) shape = sizedInput(x, stmt, frame, override);
  else if (override) shape = [...override];
  else {
    const v = evaluate(x, stmt.shape, frame);
    shape = asShape(x, v, stmt.shape.span, frame, 'an input shape');
  }
  if (!shape) return void frame.env.set(stmt.name, POISON);
  if (shape.some((d) => d <= 0)) {
    x.report('E0301', `input '${stmt.name}' has a non-positive dimension: ${formatShape(shape)}`, stmt.shape.span, frame);
    return void frame.env.set(stmt.name, POISON);
  }
  const node = addNode(x, { op: 'input', base: stmt.name, explicit: true, inputs: [], attrs: { shape }, args: {}, shape, span: stmt.span }, frame);
  if (!node) return void frame.env.set(stmt.name, POISON);
  io.inputs.push({ name: stmt.name, node: node.id });
  frame.env.set(stmt.name, { kind: 'tensor', node });
  // The size variables now name this input's axes (see DimRef).
  for (const v of x.sizes) if (v.input === stmt.name) frame.env.set(v.name, { kind: 'int', value: v.value, dim: { node: node.id, axis: v.axis } });
}

/** Runs a loop's body once per item; the items are computed apart so that this frame, on the stack once per nested loop, stays small. */
function execFor(x: Expansion, stmt: A.ForStmt, frame: Frame, io?: ModelIo): void {
  const items = loopItems(x, stmt, frame);
  if (!items) return;
  for (let i = 0; i < items.length; i++) {
    frame.env.set(stmt.variable, items[i]!);
    execBody(x, stmt.body, frame, io);
    if (frame.returned !== undefined || x.aborted) return;
  }
}

/** The values a loop's variable takes, or undefined when the range or list is wrong (reported). */
function loopItems(x: Expansion, stmt: A.ForStmt, frame: Frame): readonly Value[] | undefined {
  const from = evaluate(x, stmt.from, frame);
  if (stmt.to) {
    const to = evaluate(x, stmt.to, frame);
    if (from.kind === 'poison' || to.kind === 'poison') return undefined;
    if (from.kind !== 'int' || to.kind !== 'int') {
      return x.report('E0203', `a range needs integer bounds, got ${typeName(from)} .. ${typeName(to)}`, stmt.from.span, frame), undefined;
    }
    const count = to.value - from.value;
    if (!loopWithinLimit(x, count, stmt.from, stmt.to, frame)) return undefined;
    return Array.from({ length: Math.max(0, count) }, (_, i) => int(from.value + i));
  }
  if (from.kind === 'poison') return undefined;
  if (from.kind !== 'list') return x.report('E0203', `'for' iterates over a range a..b or a list, got ${typeName(from)}`, stmt.from.span, frame), undefined;
  return [...from.items];
}

/** `x = ... : [256, 56, 56]`: the tensor must have exactly that shape. */
function checkAnnotation(x: Expansion, value: Value, annotation: A.Expr, frame: Frame): void {
  if (value.kind === 'poison') return;
  const expected = evaluate(x, annotation, frame);
  const want = asShape(x, expected, annotation.span, frame, 'a shape annotation');
  if (!want) return;
  if (value.kind !== 'tensor') return x.report('E0502', `a shape annotation needs a tensor, got ${typeName(value)}`, annotation.span, frame);
  if (want.join() !== value.node.shape.join()) {
    // Annotations pin the model as written; under --set/--input it is another model (warning).
    const [code, what] = x.overridden ? (['W0107', 'shape annotation does not hold with the overrides'] as const) : (['E0502', 'shape annotation failed'] as const);
    x.report(code, `${what}: expected ${formatShape(want)}, got ${formatShape(value.node.shape)}`, annotation.span, frame, {
      related: [{ span: value.node.span, message: `this ${value.node.op} made ${formatShape(value.node.shape)}` }],
    });
  }
}

function asShape(x: Expansion, v: Value, span: Span, frame: Frame, what: string): number[] | undefined {
  if (v.kind === 'poison') return undefined;
  if (v.kind === 'list' && v.items.every((i) => i.kind === 'int')) return v.items.map((i) => (i as { value: number }).value);
  x.report('E0203', `${what} must be a list of integers such as [3, 224, 224], got ${show(v)}`, span, frame);
  return undefined;
}

/** The names in an input's shape that nothing defines: its size variables. */
function sizeVariablesOf(stmt: A.InputStmt, frame: Frame): { name: string; span: Span; axis: number }[] {
  return sizeVariableNames(stmt).filter((v) => !frame.env.has(v.name) && !frame.module.scope.has(v.name) && !lookupOp(v.name) && !Object.hasOwn(builtins, v.name));
}

/**
 * `input image: [3, H, W] = [3, 224, 224]`: the graph is built at the default (or --input) sizes,
 * the variables are bound to them for the rest of the model, and recorded for the symbolic pass.
 */
function sizedInput(x: Expansion, stmt: A.InputStmt, frame: Frame, override: readonly number[] | undefined): number[] | undefined {
  const vars = sizeVariablesOf(stmt, frame);
  const names = vars.map((v) => v.name).join(', ');
  let values: number[] | undefined;
  if (override) values = [...override];
  else if (!stmt.default) {
    x.report('E0206', `input '${stmt.name}' names the size variable${vars.length > 1 ? 's' : ''} ${names} and needs a default size`, stmt.shape.span, frame, {
      hint: `write the size it is built and counted at, e.g. input ${stmt.name}: ${text(frame, stmt.shape)} = [3, 224, 224]`,
    });
    return undefined;
  } else values = asShape(x, evaluate(x, stmt.default, frame), stmt.default.span, frame, 'a default input size');
  if (!values) return undefined;
  const items = (stmt.shape as A.ListLit).items;
  const where = override ? stmt.shape.span : stmt.default!.span;
  if (values.length !== items.length) {
    x.report('E0203', `input '${stmt.name}' has ${items.length} dimensions, but its size ${formatShape(values)} has ${values.length}`, where, frame);
    return undefined;
  }
  const bound = new Map<string, number>();
  for (let axis = 0; axis < items.length; axis++) {
    const v = vars.find((s) => s.axis === axis);
    const value = values[axis]!;
    // --input replaces the whole shape, as for inputs without variables (a grayscale run of an RGB
    // model); only a variable named twice ([3, S, S]) must get one value.
    const fixed = v ? bound.get(v.name) : override ? undefined : (evaluate(x, items[axis]!, frame) as { value?: number }).value;
    if (fixed !== undefined && fixed !== value) {
      x.report('E0203', `the size ${formatShape(values)} does not fit input '${stmt.name}': ${text(frame, stmt.shape)}`, where, frame, {
        notes: [`dimension ${axis} is ${v ? `${v.name} = ${fixed}` : fixed} but the size gives ${value}`],
      });
      return undefined;
    }
    if (v) {
      bound.set(v.name, value);
      frame.env.set(v.name, int(value));
      x.sizes.push({ name: v.name, input: stmt.name, axis, value });
    }
  }
  return values;
}

const text = (frame: Frame, e: A.Expr): string => frame.module.source.text.slice(e.span.start.offset, e.span.end.offset);