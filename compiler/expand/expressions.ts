// Expressions: everything in a .arch file is known at compile time, so an expression evaluates to a
// Value (numbers, lists, tensors as graph nodes, blocks and ops to call). A value that already
// failed is POISON: using it reports nothing more.
import type * as A from '../../dsl/ast.js';
import type { Span } from '../../dsl/source.js';
import { formatShape } from '../ir.js';
import { lookupOp, ops } from '../ops/registry.js';
import { COMPARISON_OPERATORS, type Comparison } from '../ops/compare.js';
import { builtins } from '../builtins.js';
import { bool, equal, int, NONE, num, POISON, shapeValue, show, typeName, type Value } from '../values.js';
import type { ArgIn } from './binder.js';
import { call } from './calls.js';
import { assignedLater, hintFor } from './explain.js';
import type { Frame } from './frame.js';
import { callOp } from './graph.js';
import { sizeWithinLimit, step } from './limits.js';
import { execBody } from './statements.js';
import type { Expansion } from './state.js';

/**
 * Nested expressions recurse here: the cases loop over their parts rather than map over them (two
 * frames a level fewer), so that 1,000 levels fit a browser's stack (dsl/depth-limits.ts).
 */
export function evaluate(x: Expansion, e: A.Expr, frame: Frame): Value {
  step(x, e.span, frame);
  switch (e.kind) {
    case 'number':
      return e.isInt ? int(e.value) : { kind: 'float', value: e.value };
    case 'string':
      return { kind: 'string', value: e.value };
    case 'bool':
      return bool(e.value);
    case 'none':
      return NONE;
    case 'list': {
      // A list with an item that already failed is unknown as a whole: no second error about it.
      const items: Value[] = [];
      for (let i = 0; i < e.items.length; i++) items.push(evaluate(x, e.items[i]!, frame)); // not map: two frames a level more
      return items.some((i) => i.kind === 'poison') ? POISON : { kind: 'list', items };
    }
    case 'name':
      return lookup(x, e.name, e.span, frame);
    case 'member':
      return member(x, e, frame);
    case 'index':
      return index(x, e, frame);
    case 'call': {
      const callee = evaluate(x, e.callee, frame);
      const args: ArgIn[] = [];
      for (let i = 0; i < e.args.length; i++) args.push(evaluateArg(x, e.args[i]!, frame));
      return call(x, callee, args, e, frame);
    }
    case 'pipe': {
      const args: ArgIn[] = [{ value: evaluate(x, e.lhs, frame), span: e.lhs.span }];
      if (e.rhs.kind !== 'call') return call(x, evaluate(x, e.rhs, frame), args, e.rhs, frame);
      const callee = evaluate(x, e.rhs.callee, frame);
      for (let i = 0; i < e.rhs.args.length; i++) args.push(evaluateArg(x, e.rhs.args[i]!, frame));
      return call(x, callee, args, e.rhs, frame);
    }
    case 'unary':
      return unary(x, e, frame);
    case 'binary':
      return binary(x, e, frame);
    case 'if': {
      const c = evaluate(x, e.condition, frame);
      if (c.kind === 'poison') return POISON;
      if (c.kind !== 'bool') {
        x.report('E0203', `'if' needs a true/false condition, got ${typeName(c)}`, e.condition.span, frame);
        return POISON;
      }
      const branch = c.value ? e.then : e.else;
      return branch ? execBody(x, branch, frame) : NONE;
    }
  }
}

function evaluateArg(x: Expansion, a: A.Arg, frame: Frame): ArgIn {
  return { name: a.name, value: evaluate(x, a.value, frame), span: a.span };
}

/** A name: a local, a block of the module's scope, an op, or a builtin function. */
/** How many unknown names get a "did you mean" (the rest are listed without one). */
const SUGGESTED_UNKNOWNS = 20;

export function lookup(x: Expansion, name: string, span: Span, frame: Frame): Value {
  const local = frame.env.get(name);
  if (local) return local;
  const decl = frame.module.scope.get(name);
  if (decl?.decl.kind === 'block') return { kind: 'block', decl: decl.decl, module: decl.module };
  const op = lookupOp(name);
  if (op) return { kind: 'op', name, op };
  if (Object.hasOwn(builtins, name)) return { kind: 'builtin', name };
  const later = assignedLater(name, span, frame);
  if (later) {
    x.report('E0209', `'${name}' is used before it is assigned`, span, frame, {
      related: later.start.offset > span.start.offset ? [{ span: later, message: `'${name}' is assigned here, later` }] : [],
    });
  } else {
    const suggest = x.suggestions++ < SUGGESTED_UNKNOWNS;
    const candidates = suggest ? [...frame.env.keys(), ...frame.module.scope.keys(), ...Object.keys(ops), ...Object.keys(builtins)] : [];
    x.report('E0201', `unknown name '${name}'`, span, frame, { hint: hintFor(name, candidates) });
  }
  return POISON;
}

/** `x.channels`, `x.shape`, `list.length`, ... */
function member(x: Expansion, e: A.MemberExpr, frame: Frame): Value {
  const obj = evaluate(x, e.object, frame);
  if (obj.kind === 'poison') return POISON;
  if (obj.kind === 'tensor') {
    const s = obj.node.shape;
    const spatial = s.length - 1;
    const dim = (axis: number): Value => ({ kind: 'int', value: s[axis]!, dim: { node: obj.node.id, axis } });
    const props: Record<string, () => Value | undefined> = {
      channels: () => dim(0),
      features: () => dim(s.length - 1),
      height: () => (spatial >= 2 ? dim(s.length - 2) : undefined),
      width: () => (spatial >= 2 ? dim(s.length - 1) : undefined),
      depth: () => (spatial === 3 ? dim(1) : undefined),
      length: () => (spatial === 1 ? dim(1) : undefined),
      shape: () => shapeValue(s),
      rank: () => int(s.length),
    };
    const getter = Object.hasOwn(props, e.property) ? props[e.property] : undefined;
    const value = getter?.();
    if (value) return value;
    if (getter !== undefined) {
      x.report('E0207', `a tensor shaped ${formatShape(s)} has no ${e.property}`, e.propertySpan, frame);
    } else {
      x.report('E0201', `tensors have no property '${e.property}'`, e.propertySpan, frame, { hint: hintFor(e.property, Object.keys(props)) });
    }
    return POISON;
  }
  if (obj.kind === 'list' && e.property === 'length') return int(obj.items.length);
  x.report('E0207', `${typeName(obj)} has no property '${e.property}'`, e.propertySpan, frame);
  return POISON;
}

/** `list[i]` and `x[i]` (a tensor's dimension), negative indices from the end. */
function index(x: Expansion, e: A.IndexExpr, frame: Frame): Value {
  const obj = evaluate(x, e.object, frame);
  const idx = evaluate(x, e.index, frame);
  if (obj.kind === 'poison' || idx.kind === 'poison') return POISON;
  const list = obj.kind === 'list' ? obj.items : obj.kind === 'tensor' ? obj.node.shape.map(int) : undefined;
  if (!list || idx.kind !== 'int') {
    x.report('E0207', `cannot index ${typeName(obj)} with ${typeName(idx)}`, e.span, frame);
    return POISON;
  }
  const i = idx.value < 0 ? list.length + idx.value : idx.value;
  if (i < 0 || i >= list.length) {
    x.report('E0207', `index ${idx.value} is out of range for ${list.length} items`, e.index.span, frame);
    return POISON;
  }
  return list[i]!;
}

function unary(x: Expansion, e: A.UnaryExpr, frame: Frame): Value {
  const v = evaluate(x, e.operand, frame);
  if (v.kind === 'poison') return POISON;
  if (e.op === 'not' && v.kind === 'bool') return bool(!v.value);
  if (e.op === '-' && (v.kind === 'int' || v.kind === 'float')) return { kind: v.kind, value: -v.value };
  if (e.op === '-' && v.kind === 'tensor') return scalarOp(x, 'mul', v, e.operand.span, -1, e.span, e, frame);
  x.report('E0203', `'${e.op}' does not apply to ${typeName(v)}`, e.span, frame);
  return POISON;
}

/** The element-wise op each arithmetic operator lowers to on tensors. */
const TENSOR_OPS: Record<string, 'add' | 'sub' | 'mul' | 'div' | undefined> = { '+': 'add', '-': 'sub', '*': 'mul', '/': 'div' };

/** `tensor op number` as a `scalar` node (compiler/ops/scalar.ts). */
function scalarOp(x: Expansion, op: string, tensor: Value, tensorSpan: Span, value: number, valueSpan: Span, at: A.Expr, frame: Frame): Value {
  const args: ArgIn[] = [
    { value: tensor, span: tensorSpan },
    { name: 'op', value: { kind: 'string', value: op }, span: at.span },
    { name: 'value', value: { kind: 'float', value }, span: valueSpan },
  ];
  return callOp(x, 'scalar', lookupOp('scalar')!, args, at, frame);
}

const logical = (e: A.Expr): boolean => e.kind === 'binary' && (e.op === 'and' || e.op === 'or');

function binary(x: Expansion, e: A.BinaryExpr, frame: Frame): Value {
  if (logical(e)) {
    const l = evaluate(x, e.left, frame);
    if (l.kind === 'poison') return POISON;
    if (l.kind !== 'bool') return typeError(x, e, l, frame);
    if (e.op === 'and' ? !l.value : l.value) return l;
    const r = evaluate(x, e.right, frame);
    if (r.kind === 'poison' || r.kind === 'bool') return r;
    return typeError(x, e, r, frame);
  }
  // A chain `a + b - c ...` nests to the left: its left operands are walked in a loop, not by
  // recursion, so that a chain of any length costs no stack. Each counts a step, as `evaluate` would.
  const chain: A.BinaryExpr[] = [e];
  for (let l = e.left; l.kind === 'binary' && !logical(l); l = l.left) {
    step(x, l.span, frame);
    chain.push(l);
  }
  let value = evaluate(x, chain.at(-1)!.left, frame);
  for (let i = chain.length - 1; i >= 0; i--) value = arithmetic(x, chain[i]!, value, evaluate(x, chain[i]!.right, frame), frame);
  return value;
}

/** Arithmetic and comparisons on numbers, tensors, strings and lists, the operands evaluated. */
function arithmetic(x: Expansion, e: A.BinaryExpr, l: Value, r: Value, frame: Frame): Value {
  if (l.kind === 'poison' || r.kind === 'poison') return POISON;
  const tensorOp = TENSOR_OPS[e.op];
  if (tensorOp && l.kind === 'tensor' && r.kind === 'tensor') {
    return callOp(x, tensorOp, lookupOp(tensorOp)!, [{ value: l, span: e.left.span }, { value: r, span: e.right.span }], e, frame);
  }
  // A tensor and a number: the number may stand on either side (1 − x keeps its order as rsub).
  if (tensorOp && l.kind === 'tensor' && (r.kind === 'int' || r.kind === 'float')) {
    return scalarOp(x, tensorOp, l, e.left.span, r.value, e.right.span, e, frame);
  }
  if (tensorOp && r.kind === 'tensor' && (l.kind === 'int' || l.kind === 'float')) {
    const reversed = tensorOp === 'sub' ? 'rsub' : tensorOp === 'div' ? 'rdiv' : tensorOp;
    return scalarOp(x, reversed, r, e.right.span, l.value, e.left.span, e, frame);
  }
  const comparison = TENSOR_COMPARISONS[e.op];
  if (comparison && (l.kind === 'tensor' || r.kind === 'tensor')) {
    const masked = compareOp(x, e, comparison, l, r, frame);
    if (masked) return masked;
  }
  if (e.op === '==') return bool(equal(l, r));
  if (e.op === '!=') return bool(!equal(l, r));
  const isNum = (v: Value): v is { kind: 'int' | 'float'; value: number } => v.kind === 'int' || v.kind === 'float';
  if (isNum(l) && isNum(r)) {
    const a = l.value;
    const b = r.value;
    switch (e.op) {
      case '+':
        return num(a + b);
      case '-':
        return num(a - b);
      case '*':
        return num(a * b);
      case '/':
      case '%':
        if (b === 0) {
          const text = frame.module.source.text.slice(e.span.start.offset, e.span.end.offset);
          x.report('E0605', `division by zero`, e.span, frame, { notes: [`${text} = ${show(l)} ${e.op} ${show(r)}`] });
          return POISON;
        }
        return e.op === '/' ? num(a / b) : num(((a % b) + b) % b);
      case '<':
        return bool(a < b);
      case '<=':
        return bool(a <= b);
      case '>':
        return bool(a > b);
      case '>=':
        return bool(a >= b);
    }
  }
  if (e.op === '+' && l.kind === 'string' && r.kind === 'string') {
    return sizeWithinLimit(x, 'string', l.value.length + r.value.length, e.span, frame) ? { kind: 'string', value: l.value + r.value } : POISON;
  }
  if (e.op === '+' && l.kind === 'list' && r.kind === 'list') {
    return sizeWithinLimit(x, 'list', l.items.length + r.items.length, e.span, frame) ? { kind: 'list', items: l.items.concat(r.items) } : POISON;
  }
  x.report('E0203', `'${e.op}' does not apply to ${typeName(l)} and ${typeName(r)}`, e.opSpan, frame, {
    hint: l.kind === 'tensor' || r.kind === 'tensor' ? 'tensors combine with +, −, × and / and compare with <, <=, >, >=, ==, != with tensors and numbers' : undefined,
  });
  return POISON;
}

/** The `compare` op of each comparison operator on tensors. */
const TENSOR_COMPARISONS: Record<string, Comparison | undefined> = Object.fromEntries(
  Object.entries(COMPARISON_OPERATORS).map(([op, { symbol }]) => [symbol, op as Comparison]),
);

/**
 * A comparison with a tensor on at least one side, as a mask (compiler/ops/compare.ts): two tensors,
 * or a tensor and a number on either side (`0 < x` is `x > 0`). Undefined for other operands
 * (`x == none` stays a true/false test).
 */
function compareOp(x: Expansion, e: A.BinaryExpr, op: Comparison, l: Value, r: Value, frame: Frame): Value | undefined {
  const def = lookupOp('compare')!;
  const named = (name: string, value: Value, span: Span): ArgIn => ({ name, value, span });
  if (l.kind === 'tensor' && r.kind === 'tensor') {
    return callOp(x, 'compare', def, [{ value: l, span: e.left.span }, { value: r, span: e.right.span }, named('op', { kind: 'string', value: op }, e.opSpan)], e, frame);
  }
  const [tensor, number, tensorSpan, numberSpan, which] =
    l.kind === 'tensor' ? [l, r, e.left.span, e.right.span, op] : [r, l, e.right.span, e.left.span, COMPARISON_OPERATORS[op].swapped];
  if (number.kind !== 'int' && number.kind !== 'float') return undefined;
  const args: ArgIn[] = [{ value: tensor, span: tensorSpan }, named('op', { kind: 'string', value: which }, e.opSpan), named('value', { kind: 'float', value: number.value }, numberSpan)];
  return callOp(x, 'compare', def, args, e, frame);
}

function typeError(x: Expansion, e: A.BinaryExpr, v: Value, frame: Frame): Value {
  x.report('E0203', `'${e.op}' needs true/false operands, got ${typeName(v)}`, e.opSpan, frame);
  return POISON;
}
