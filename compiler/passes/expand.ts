// expand: evaluates a model at compile time into a flat IR graph. Blocks, loops and conditionals
// disappear; every node keeps its own span and the chain of block call sites that produced it.
// Shapes are inferred as nodes are made, because the language may branch on them (`x.channels`).
import type * as A from '../../dsl/ast.js';
import type { Span } from '../../dsl/source.js';
import { closestMatch, diagnostic, type Diagnostic, type DiagnosticCode, type RelatedSpan } from '../diagnostics.js';
import { elementCount, formatShape, type IrGraph, type IrNode, type Shape } from '../ir.js';
import type { Module } from '../loader.js';
import type { ArgValue, OpContext, OpDef, ParamSpec, ReportOptions } from '../ops/op.js';
import { lookupOp, ops } from '../ops/registry.js';
import { builtins } from '../builtins.js';
import { bool, equal, int, NONE, num, POISON, shapeValue, show, typeName, type Value } from '../values.js';

export const LIMITS = {
  /** Nested block calls, recursion included. */
  depth: 64,
  /** Iterations of one `for`. */
  loop: 10_000,
  /** Nodes in one graph. */
  nodes: 200_000,
  /** Largest dimension, and largest per-sample element count. */
  dim: 2 ** 31 - 1,
  elements: 2 ** 42,
};

/** Names that model-level `expect` lines can use besides the model's own variables. */
export const EXPECT_COUNTERS = ['params', 'buffers', 'trainable', 'frozen_params', 'macs', 'flops'] as const;

export interface ExpandOptions {
  /** Overrides of model parameters, e.g. { classes: 10 }. */
  readonly params?: Readonly<Record<string, number | string | boolean>>;
  /** Overrides of input shapes (per-sample), by input name. */
  readonly inputs?: Readonly<Record<string, readonly number[]>>;
}

export interface DeferredExpect {
  readonly stmt: A.ExpectStmt;
  readonly evaluate: (counters: Readonly<Record<string, number>>) => Diagnostic | undefined;
}

export interface ExpandResult {
  readonly graph?: IrGraph;
  readonly diagnostics: Diagnostic[];
  readonly expects: DeferredExpect[];
}

interface CallSite {
  readonly span: Span;
  readonly block: string;
}

interface Frame {
  readonly module: Module;
  readonly env: Map<string, Value>;
  readonly path: string;
  readonly counters: Map<string, number>;
  readonly stack: readonly CallSite[];
  readonly frozen: boolean;
  readonly isModel: boolean;
  returned?: Value;
}

interface ArgIn {
  readonly name?: string;
  readonly value: Value;
  readonly span: Span;
}

class Stop extends Error {}

class Expander {
  readonly nodes: IrNode[] = [];
  readonly diagnostics: Diagnostic[] = [];
  readonly expects: DeferredExpect[] = [];
  private readonly names = new Set<string>();
  private depth = 0;
  private aborted = false;

  constructor(private readonly options: ExpandOptions) {}

  // ---------- reporting

  private report(code: DiagnosticCode, message: string, span: Span, frame: Frame | undefined, extra: Partial<Omit<Diagnostic, 'code'>> = {}): void {
    const related: RelatedSpan[] = [...(extra.related ?? []), ...callNotes(frame?.stack ?? [])];
    this.diagnostics.push(diagnostic(code, message, span, { related, notes: extra.notes, hint: extra.hint }));
  }

  // ---------- models

  runModel(decl: A.ModelDecl, module: Module): IrGraph | undefined {
    const frame: Frame = { module, env: new Map(), path: '', counters: new Map(), stack: [], frozen: false, isModel: true };
    const inputs: { name: string; node: number }[] = [];
    const outputs: { name: string; node: number }[] = [];
    for (const p of decl.params) {
      const override = this.options.params?.[p.name];
      if (override !== undefined) frame.env.set(p.name, fromJs(override));
      else if (p.default) frame.env.set(p.name, this.eval(p.default, frame));
      else this.report('E0206', `model parameter '${p.name}' has no default and no value was given`, p.span, frame, { hint: `give it a default: ${p.name} = ...` });
    }
    for (const name of Object.keys(this.options.params ?? {})) {
      if (!decl.params.some((p) => p.name === name)) {
        this.report('E0204', `model '${decl.name}' has no parameter '${name}'`, decl.nameSpan, frame, {
          hint: hintFor(name, decl.params.map((p) => p.name)),
        });
      }
    }
    try {
      this.execBody(decl.body, frame, { inputs, outputs });
    } catch (e) {
      if (!(e instanceof Stop)) throw e;
    }
    if (!decl.body.some((s) => s.kind === 'output') && !this.aborted) {
      this.report('E0207', `model '${decl.name}' has no output`, decl.nameSpan, frame, { hint: 'add a line such as: output logits = x |> dense(10)' });
    }
    return { model: decl.name, file: module.path, nodes: this.nodes, inputs, outputs };
  }

  // ---------- statements

  private execBody(body: readonly A.Stmt[], frame: Frame, io?: ModelIo): Value {
    let last: Value = NONE;
    for (const stmt of body) {
      if (frame.returned !== undefined) break;
      last = this.exec(stmt, frame, io);
    }
    return last;
  }

  private exec(stmt: A.Stmt, frame: Frame, io?: ModelIo): Value {
    switch (stmt.kind) {
      case 'input':
        return this.execInput(stmt, frame, io), NONE;
      case 'output': {
        if (!io) return this.report('E0207', `'output' belongs in a model; a block returns its result with 'return'`, stmt.span, frame), NONE;
        const value = stmt.value ? this.eval(stmt.value, frame) : this.lookup(stmt.name, stmt.nameSpan, frame);
        if (stmt.value) frame.env.set(stmt.name, value);
        if (stmt.annotation) this.checkAnnotation(value, stmt.annotation, frame);
        if (value.kind === 'tensor') io.outputs.push({ name: stmt.name, node: value.node.id });
        else if (value.kind !== 'poison') this.report('E0207', `output '${stmt.name}' must be a tensor, got ${typeName(value)}`, stmt.span, frame);
        return NONE;
      }
      case 'assign': {
        const value = this.eval(stmt.value, frame);
        if (stmt.targets.length === 1) frame.env.set(stmt.targets[0]!.name, value);
        else if (value.kind === 'list' && value.items.length === stmt.targets.length) {
          stmt.targets.forEach((t, i) => frame.env.set(t.name, value.items[i]!));
        } else {
          if (value.kind !== 'poison') {
            const got = value.kind === 'list' ? `${value.items.length} values` : typeName(value);
            this.report('E0207', `cannot unpack ${got} into ${stmt.targets.length} names`, stmt.span, frame);
          }
          for (const t of stmt.targets) frame.env.set(t.name, POISON);
        }
        if (stmt.annotation) this.checkAnnotation(value, stmt.annotation, frame);
        return NONE;
      }
      case 'return': {
        if (frame.isModel) return this.report('E0207', `'return' belongs in a block; a model names its results with 'output'`, stmt.span, frame), NONE;
        const values = stmt.values.map((v) => this.eval(v, frame));
        frame.returned = values.length === 1 ? values[0]! : { kind: 'list', items: values };
        return NONE;
      }
      case 'expect':
        if (frame.isModel) this.deferExpect(stmt, frame);
        else this.checkExpect(stmt, frame, {});
        return NONE;
      case 'for':
        return this.execFor(stmt, frame, io), NONE;
      case 'frozen': {
        const inner: Frame = { ...frame, frozen: true, returned: undefined };
        this.execBody(stmt.body, inner, io);
        frame.returned = inner.returned;
        return NONE;
      }
      case 'expr':
        return this.eval(stmt.expr, frame);
    }
  }

  private execInput(stmt: A.InputStmt, frame: Frame, io?: ModelIo): void {
    if (!io) return this.report('E0207', `'input' belongs in a model; a block takes tensors as parameters`, stmt.span, frame);
    const override = this.options.inputs?.[stmt.name];
    let shape: number[] | undefined;
    if (override) shape = [...override];
    else {
      const v = this.eval(stmt.shape, frame);
      shape = this.asShape(v, stmt.shape.span, frame, 'an input shape');
    }
    if (!shape) return void frame.env.set(stmt.name, POISON);
    if (shape.some((d) => d <= 0)) {
      this.report('E0301', `input '${stmt.name}' has a non-positive dimension: ${formatShape(shape)}`, stmt.shape.span, frame);
      return void frame.env.set(stmt.name, POISON);
    }
    const node = this.addNode({ op: 'input', base: stmt.name, explicit: true, inputs: [], attrs: { shape }, args: {}, shape, span: stmt.span }, frame);
    if (!node) return void frame.env.set(stmt.name, POISON);
    io.inputs.push({ name: stmt.name, node: node.id });
    frame.env.set(stmt.name, { kind: 'tensor', node });
  }

  private execFor(stmt: A.ForStmt, frame: Frame, io?: ModelIo): void {
    const from = this.eval(stmt.from, frame);
    let items: Value[];
    if (stmt.to) {
      const to = this.eval(stmt.to, frame);
      if (from.kind === 'poison' || to.kind === 'poison') return;
      if (from.kind !== 'int' || to.kind !== 'int') {
        return this.report('E0203', `a range needs integer bounds, got ${typeName(from)} .. ${typeName(to)}`, stmt.from.span, frame);
      }
      const count = to.value - from.value;
      if (count > LIMITS.loop) {
        const range = { ...stmt.from.span, end: stmt.to.span.end };
        return this.report('E0602', `this loop would run ${grouped(count)} times; the limit is ${grouped(LIMITS.loop)}`, range, frame, {
          hint: 'a network with that many repeated layers is almost certainly a typo in the bounds',
        });
      }
      items = Array.from({ length: Math.max(0, count) }, (_, i) => int(from.value + i));
    } else {
      if (from.kind === 'poison') return;
      if (from.kind !== 'list') return this.report('E0203', `'for' iterates over a range a..b or a list, got ${typeName(from)}`, stmt.from.span, frame);
      items = [...from.items];
    }
    for (const item of items) {
      frame.env.set(stmt.variable, item);
      this.execBody(stmt.body, frame, io);
      if (frame.returned !== undefined || this.aborted) return;
    }
  }

  private checkAnnotation(value: Value, annotation: A.Expr, frame: Frame): void {
    if (value.kind === 'poison') return;
    const expected = this.eval(annotation, frame);
    const want = this.asShape(expected, annotation.span, frame, 'a shape annotation');
    if (!want) return;
    if (value.kind !== 'tensor') return this.report('E0502', `a shape annotation needs a tensor, got ${typeName(value)}`, annotation.span, frame);
    if (want.join() !== value.node.shape.join()) {
      // Annotations pin the model as written; under --set/--input it is another model (warning).
      const overridden = Object.keys(this.options.params ?? {}).length + Object.keys(this.options.inputs ?? {}).length > 0;
      const [code, what] = overridden ? (['W0107', 'shape annotation does not hold with the overrides'] as const) : (['E0502', 'shape annotation failed'] as const);
      this.report(code, `${what}: expected ${formatShape(want)}, got ${formatShape(value.node.shape)}`, annotation.span, frame, {
        related: [{ span: value.node.span, message: `this ${value.node.op} made ${formatShape(value.node.shape)}` }],
      });
    }
  }

  private deferExpect(stmt: A.ExpectStmt, frame: Frame): void {
    this.expects.push({
      stmt,
      evaluate: (counters) => {
        const before = this.diagnostics.length;
        this.checkExpect(stmt, frame, counters);
        return this.diagnostics.splice(before)[0];
      },
    });
  }

  private checkExpect(stmt: A.ExpectStmt, frame: Frame, counters: Readonly<Record<string, number>>): void {
    const env = new Map(frame.env);
    for (const [k, v] of Object.entries(counters)) if (!env.has(k)) env.set(k, int(v));
    const scoped: Frame = { ...frame, env };
    const c = stmt.condition;
    const result = this.eval(c, scoped);
    if (result.kind === 'poison') return;
    if (result.kind !== 'bool') return this.report('E0203', `expect needs a true/false condition, got ${typeName(result)}`, c.span, frame);
    if (result.value) return;
    const text = frame.module.source.text.slice(c.span.start.offset, c.span.end.offset);
    const notes: string[] = [];
    if (c.kind === 'binary' && ['==', '!=', '<', '<=', '>', '>='].includes(c.op)) {
      const left = this.eval(c.left, scoped);
      const right = this.eval(c.right, scoped);
      notes.push(`expected: ${showFull(right)}`, `     got: ${showFull(left)}`);
      if ((left.kind === 'int' || left.kind === 'float') && (right.kind === 'int' || right.kind === 'float')) {
        const diff = left.value - right.value;
        notes.push(`    diff: ${diff > 0 ? '+' : ''}${diff.toLocaleString('en-US')}`);
      }
    }
    this.report('E0501', `expect failed: ${text}`, c.span, frame, { notes });
  }

  // ---------- expressions

  eval(e: A.Expr, frame: Frame): Value {
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
        const items = e.items.map((i) => this.eval(i, frame));
        return items.some((i) => i.kind === 'poison') ? POISON : { kind: 'list', items };
      }
      case 'name':
        return this.lookup(e.name, e.span, frame);
      case 'member':
        return this.member(e, frame);
      case 'index':
        return this.index(e, frame);
      case 'call': {
        const callee = this.eval(e.callee, frame);
        const args = e.args.map((a) => ({ name: a.name, value: this.eval(a.value, frame), span: a.span }));
        return this.call(callee, args, e, frame);
      }
      case 'pipe': {
        const lhs: ArgIn = { value: this.eval(e.lhs, frame), span: e.lhs.span };
        if (e.rhs.kind === 'call') {
          const callee = this.eval(e.rhs.callee, frame);
          const args = e.rhs.args.map((a) => ({ name: a.name, value: this.eval(a.value, frame), span: a.span }));
          return this.call(callee, [lhs, ...args], e.rhs, frame);
        }
        return this.call(this.eval(e.rhs, frame), [lhs], e.rhs, frame);
      }
      case 'unary':
        return this.unary(e, frame);
      case 'binary':
        return this.binary(e, frame);
      case 'if': {
        const c = this.eval(e.condition, frame);
        if (c.kind === 'poison') return POISON;
        if (c.kind !== 'bool') {
          this.report('E0203', `'if' needs a true/false condition, got ${typeName(c)}`, e.condition.span, frame);
          return POISON;
        }
        const branch = c.value ? e.then : e.else;
        return branch ? this.execBody(branch, frame) : NONE;
      }
    }
  }

  private lookup(name: string, span: Span, frame: Frame): Value {
    const local = frame.env.get(name);
    if (local) return local;
    const decl = frame.module.scope.get(name);
    if (decl?.decl.kind === 'block') return { kind: 'block', decl: decl.decl, module: decl.module };
    const op = lookupOp(name);
    if (op) return { kind: 'op', name, op };
    if (Object.hasOwn(builtins, name)) return { kind: 'builtin', name };
    const later = assignedLater(name, span, frame);
    if (later) {
      this.report('E0209', `'${name}' is used before it is assigned`, span, frame, {
        related: later.start.offset > span.start.offset ? [{ span: later, message: `'${name}' is assigned here, later` }] : [],
      });
    } else {
      const candidates = [...frame.env.keys(), ...frame.module.scope.keys(), ...Object.keys(ops), ...Object.keys(builtins)];
      this.report('E0201', `unknown name '${name}'`, span, frame, { hint: hintFor(name, candidates) });
    }
    return POISON;
  }

  private member(e: A.MemberExpr, frame: Frame): Value {
    const obj = this.eval(e.object, frame);
    if (obj.kind === 'poison') return POISON;
    if (obj.kind === 'tensor') {
      const s = obj.node.shape;
      const spatial = s.length - 1;
      const props: Record<string, () => Value | undefined> = {
        channels: () => int(s[0]!),
        features: () => int(s.at(-1)!),
        height: () => (spatial >= 2 ? int(s.at(-2)!) : undefined),
        width: () => (spatial >= 2 ? int(s.at(-1)!) : undefined),
        depth: () => (spatial === 3 ? int(s[1]!) : undefined),
        length: () => (spatial === 1 ? int(s[1]!) : undefined),
        shape: () => shapeValue(s),
        rank: () => int(s.length),
      };
      const getter = Object.hasOwn(props, e.property) ? props[e.property] : undefined;
      const value = getter?.();
      if (value) return value;
      if (getter !== undefined) {
        this.report('E0207', `a tensor shaped ${formatShape(s)} has no ${e.property}`, e.propertySpan, frame);
      } else {
        this.report('E0201', `tensors have no property '${e.property}'`, e.propertySpan, frame, { hint: hintFor(e.property, Object.keys(props)) });
      }
      return POISON;
    }
    if (obj.kind === 'list' && e.property === 'length') return int(obj.items.length);
    this.report('E0207', `${typeName(obj)} has no property '${e.property}'`, e.propertySpan, frame);
    return POISON;
  }

  private index(e: A.IndexExpr, frame: Frame): Value {
    const obj = this.eval(e.object, frame);
    const idx = this.eval(e.index, frame);
    if (obj.kind === 'poison' || idx.kind === 'poison') return POISON;
    const list = obj.kind === 'list' ? obj.items : obj.kind === 'tensor' ? obj.node.shape.map(int) : undefined;
    if (!list || idx.kind !== 'int') {
      this.report('E0207', `cannot index ${typeName(obj)} with ${typeName(idx)}`, e.span, frame);
      return POISON;
    }
    const i = idx.value < 0 ? list.length + idx.value : idx.value;
    if (i < 0 || i >= list.length) {
      this.report('E0207', `index ${idx.value} is out of range for ${list.length} items`, e.index.span, frame);
      return POISON;
    }
    return list[i]!;
  }

  private unary(e: A.UnaryExpr, frame: Frame): Value {
    const v = this.eval(e.operand, frame);
    if (v.kind === 'poison') return POISON;
    if (e.op === 'not' && v.kind === 'bool') return bool(!v.value);
    if (e.op === '-' && (v.kind === 'int' || v.kind === 'float')) return { kind: v.kind, value: -v.value };
    this.report('E0203', `'${e.op}' does not apply to ${typeName(v)}`, e.span, frame);
    return POISON;
  }

  private binary(e: A.BinaryExpr, frame: Frame): Value {
    if (e.op === 'and' || e.op === 'or') {
      const l = this.eval(e.left, frame);
      if (l.kind === 'poison') return POISON;
      if (l.kind !== 'bool') return this.typeError(e, l, frame);
      if (e.op === 'and' ? !l.value : l.value) return l;
      const r = this.eval(e.right, frame);
      if (r.kind === 'poison' || r.kind === 'bool') return r;
      return this.typeError(e, r, frame);
    }
    const l = this.eval(e.left, frame);
    const r = this.eval(e.right, frame);
    if (l.kind === 'poison' || r.kind === 'poison') return POISON;
    if (l.kind === 'tensor' && r.kind === 'tensor' && (e.op === '+' || e.op === '-' || e.op === '*')) {
      const op = e.op === '+' ? 'add' : e.op === '-' ? 'sub' : 'mul';
      return this.callOp(op, lookupOp(op)!, [{ value: l, span: e.left.span }, { value: r, span: e.right.span }], e, frame);
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
            this.report('E0605', `division by zero`, e.span, frame, { notes: [`${text} = ${show(l)} ${e.op} ${show(r)}`] });
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
    if (e.op === '+' && l.kind === 'string' && r.kind === 'string') return { kind: 'string', value: l.value + r.value };
    if (e.op === '+' && l.kind === 'list' && r.kind === 'list') return { kind: 'list', items: [...l.items, ...r.items] };
    this.report('E0203', `'${e.op}' does not apply to ${typeName(l)} and ${typeName(r)}`, e.opSpan, frame, {
      hint: l.kind === 'tensor' || r.kind === 'tensor' ? 'tensors combine with +, − and × only, and only with tensors' : undefined,
    });
    return POISON;
  }

  private typeError(e: A.BinaryExpr, v: Value, frame: Frame): Value {
    this.report('E0203', `'${e.op}' needs true/false operands, got ${typeName(v)}`, e.opSpan, frame);
    return POISON;
  }

  // ---------- calls

  private call(callee: Value, args: ArgIn[], at: A.CallExpr | A.Expr, frame: Frame): Value {
    if (callee.kind === 'poison' || this.aborted) return POISON;
    const span = at.kind === 'call' ? at.callee.span : at.span;
    switch (callee.kind) {
      case 'op':
        return this.callOp(callee.name, callee.op, args, at, frame);
      case 'block':
        return this.callBlock(callee.decl, callee.module, args, at, frame);
      case 'builtin':
        return this.callBuiltin(callee.name, args, at, frame);
      default:
        this.report('E0207', `${typeName(callee)} cannot be called`, span, frame, {
          hint: callee.kind === 'tensor' ? 'pipe the tensor into an op instead: x |> op(...)' : undefined,
        });
        return POISON;
    }
  }

  private callBuiltin(name: string, args: ArgIn[], at: A.Expr, frame: Frame): Value {
    const def = builtins[name]!;
    if (args.some((a) => a.value.kind === 'poison')) return POISON;
    if (args.some((a) => a.name)) {
      this.report('E0204', `${name}() takes positional arguments only`, args.find((a) => a.name)!.span, frame);
      return POISON;
    }
    if (args.length < def.arity.min || args.length > def.arity.max) {
      const want = def.arity.min === def.arity.max ? `${def.arity.min}` : `${def.arity.min} to ${def.arity.max}`;
      this.report('E0202', `${name}() takes ${want} arguments, got ${args.length}`, at.span, frame);
      return POISON;
    }
    const result = def.apply(args.map((a) => a.value));
    if (typeof result === 'string') {
      this.report('E0203', `${name}() ${result}`, at.span, frame, { hint: def.doc });
      return POISON;
    }
    return result;
  }

  private callBlock(decl: A.BlockDecl, module: Module, args: ArgIn[], at: A.Expr, frame: Frame): Value {
    const callSpan = at.span;
    if (this.depth >= LIMITS.depth) {
      const recursive = frame.stack.some((s) => s.block === decl.name);
      this.report('E0601', `block expansion is deeper than ${LIMITS.depth} levels${recursive ? `: '${decl.name}' keeps calling itself` : ''}`, callSpan, frame, {
        hint: recursive ? `make sure the recursion in '${decl.name}' reaches a case that stops calling itself` : undefined,
      });
      this.abort();
      return POISON;
    }
    const params = new Set(decl.params.map((p) => p.name));
    let scopeName: string | undefined;
    const env = new Map<string, Value>();
    const positional = args.filter((a) => !a.name);
    let ok = true;
    if (positional.length > decl.params.length) {
      this.report('E0202', `block '${decl.name}' takes ${decl.params.length} arguments, got ${positional.length}`, positional[decl.params.length]!.span, frame, {
        related: [{ span: decl.nameSpan, message: `'${decl.name}' is defined here` }],
      });
      ok = false;
    }
    positional.forEach((a, i) => {
      const p = decl.params[i];
      if (p) env.set(p.name, a.value);
    });
    for (const a of args.filter((x) => x.name)) {
      if (a.name === 'name' && !params.has('name')) {
        if (a.value.kind === 'string') scopeName = a.value.value;
        else this.report('E0203', `name= needs a string, got ${typeName(a.value)}`, a.span, frame);
        continue;
      }
      if (!params.has(a.name!)) {
        this.report('E0204', `block '${decl.name}' has no parameter '${a.name}'`, a.span, frame, {
          hint: hintFor(a.name!, [...params]),
          related: [{ span: decl.nameSpan, message: `'${decl.name}' is defined here` }],
        });
        ok = false;
        continue;
      }
      if (env.has(a.name!)) {
        this.report('E0202', `'${a.name}' is given twice`, a.span, frame);
        ok = false;
      }
      env.set(a.name!, a.value);
    }
    const inner: Frame = {
      module,
      env,
      path: joinPath(frame.path, this.uniqueScope(frame, scopeName ?? decl.name, scopeName !== undefined)),
      counters: new Map(),
      stack: [{ span: callSpan, block: decl.name }, ...frame.stack],
      frozen: frame.frozen,
      isModel: false,
    };
    for (const p of decl.params) {
      if (env.has(p.name)) continue;
      if (p.default) env.set(p.name, this.eval(p.default, inner));
      else {
        this.report('E0206', `block '${decl.name}' needs a value for '${p.name}'`, callSpan, frame, {
          related: [{ span: p.span, message: `'${p.name}' is declared here without a default` }],
        });
        ok = false;
      }
    }
    if (!ok) return POISON;
    this.depth++;
    try {
      this.execBody(decl.body, inner);
    } finally {
      this.depth--;
    }
    if (inner.returned === undefined) {
      if (!this.aborted) {
        this.report('E0207', `block '${decl.name}' ended without 'return'`, decl.nameSpan, frame, {
          related: [{ span: callSpan, message: 'called here' }],
          hint: `end the block with 'return' and the tensor(s) it gives back`,
        });
      }
      return POISON;
    }
    return inner.returned;
  }

  callOp(name: string, op: OpDef, args: ArgIn[], at: A.Expr, frame: Frame): Value {
    if (this.aborted) return POISON;
    const callSpan = at.kind === 'call' ? at.span : at.span;
    // Leading positional tensors (or lists of tensors) are the inputs; the rest are parameters.
    const inputs: { node: IrNode; span: Span }[] = [];
    let poisoned = false;
    let i = 0;
    for (; i < args.length && !args[i]!.name && inputs.length < op.arity.max; i++) {
      const v = args[i]!.value;
      if (v.kind === 'tensor') inputs.push({ node: v.node, span: args[i]!.span });
      else if (v.kind === 'poison') poisoned = true;
      else if (v.kind === 'list' && v.items.length > 0 && v.items.every((x) => x.kind === 'tensor' || x.kind === 'poison')) {
        for (const x of v.items) {
          if (x.kind === 'tensor') inputs.push({ node: x.node, span: args[i]!.span });
          else poisoned = true;
        }
      } else break;
    }
    const rest = args.slice(i);
    if (!poisoned && (inputs.length < op.arity.min || inputs.length > op.arity.max)) {
      const want = op.arity.max === Infinity ? `at least ${op.arity.min}` : op.arity.min === op.arity.max ? `${op.arity.min}` : `${op.arity.min} to ${op.arity.max}`;
      this.report('E0202', `${name} takes ${want} tensor input${op.arity.max === 1 ? '' : 's'}, got ${inputs.length}`, callSpan, frame, {
        hint: inputs.length === 0 ? `pipe a tensor into it: x |> ${name}(...)` : undefined,
      });
      return POISON;
    }
    const checked = this.checkArgs(name, op, rest, callSpan, frame);
    if (!checked || poisoned || rest.some((a) => a.value.kind === 'poison')) return POISON;
    const { values, spans, explicitName } = checked;
    let failed = false;
    const spanFor = (o?: ReportOptions): Span => (o?.arg && spans.get(o.arg)) || (o?.input !== undefined ? inputs[o.input]?.span : undefined) || callSpan;
    const extras = (o?: ReportOptions): Partial<Diagnostic> => {
      const related: RelatedSpan[] = [];
      if (o?.input !== undefined) {
        const src = inputs[o.input]?.node;
        if (src) related.push({ span: src.span, message: `input ${o.input} ${formatShape(src.shape)} comes from this ${src.op}` });
      }
      const notes = [...(o?.notes ?? [])];
      if (o?.trace) {
        // Size histories explain spatial mismatches only; a channel mismatch needs none.
        const spatial = new Set(inputs.map(({ node }) => node.shape.slice(1).join())).size > 1;
        inputs.forEach(({ node }, k) => {
          related.push({ span: node.span, message: `input ${k} ${formatShape(node.shape)} comes from this ${node.op}` });
          if (spatial) notes.push(`input ${k}: ${sizeHistory(node, this.nodes)}`);
        });
      }
      return { related, notes, hint: o?.hint };
    };
    const ctx: OpContext = {
      error: (code, message, o) => {
        failed = true;
        this.report(code, message, spanFor(o), frame, extras(o));
        return undefined;
      },
      warn: (code, message, o) => this.report(code, message, spanFor(o), frame, extras(o)),
      given: (arg) => spans.has(arg),
    };
    const result = op.infer(inputs.map((x) => x.node.shape), values, ctx);
    if (!result || failed) {
      if (!failed) this.report('E0900', `${name} failed without saying why`, callSpan, frame);
      return POISON;
    }
    const node = this.addNode(
      { op: name, base: explicitName ?? name, explicit: explicitName !== undefined, inputs: inputs.map((x) => x.node.id), attrs: result.attrs, args: values, written: [...spans.keys()], shape: result.shape, span: callSpan },
      frame,
    );
    return node ? { kind: 'tensor', node } : POISON;
  }

  private checkArgs(name: string, op: OpDef, args: ArgIn[], callSpan: Span, frame: Frame) {
    const specs = Object.entries(op.params);
    const values: Record<string, ArgValue> = {};
    const spans = new Map<string, Span>();
    let explicitName: string | undefined;
    let ok = true;
    const positional = args.filter((a) => !a.name);
    if (positional.length > specs.length) {
      const extra = positional[specs.length]!;
      this.report('E0202', `${name} takes ${specs.length} argument${specs.length === 1 ? '' : 's'} after its input, got ${positional.length}`, extra.span, frame, {
        notes: [`${name}(${specs.map(([k, s]) => (s.default === undefined ? k : `${k}=${JSON.stringify(s.default)}`)).join(', ')})`],
        hint: extra.value.kind === 'tensor' ? `${name} takes ${op.arity.max} tensor input${op.arity.max === 1 ? '' : 's'}` : undefined,
      });
      return undefined;
    }
    const given: [string, ArgIn][] = positional.map((a, k) => [specs[k]![0], a]);
    for (const a of args.filter((x) => x.name)) {
      if (a.name === 'name') {
        if (a.value.kind === 'string') explicitName = a.value.value;
        else this.report('E0203', `name= needs a string, got ${typeName(a.value)}`, a.span, frame);
        continue;
      }
      if (!Object.hasOwn(op.params, a.name!)) {
        this.report('E0204', `${name} has no argument '${a.name}'`, a.span, frame, {
          hint: hintFor(a.name!, Object.keys(op.params)),
          notes: [`${name}(${specs.map(([k]) => k).join(', ')})`],
        });
        continue; // reported; the call still runs without it, so later errors surface too
      }
      if (given.some(([k]) => k === a.name)) {
        this.report('E0202', `${name} argument '${a.name}' is given twice`, a.span, frame);
        ok = false;
        continue;
      }
      given.push([a.name!, a]);
    }
    for (const [key, a] of given) {
      spans.set(key, a.span);
      if (a.value.kind === 'poison') continue;
      const v = convertArg(a.value, op.params[key]!);
      if (typeof v === 'object' && v !== null && 'error' in v) {
        this.report('E0203', `${name} argument '${key}' ${v.error}, got ${show(a.value)}`, a.span, frame, { hint: v.hint });
        ok = false;
      } else values[key] = v as ArgValue;
    }
    for (const [key, spec] of specs) {
      if (key in values || spans.has(key)) continue;
      if (spec.default === undefined) {
        this.report('E0206', `${name} needs a value for '${key}'`, callSpan, frame, {
          notes: [`${name}(${specs.map(([k]) => k).join(', ')})`],
        });
        ok = false;
      } else values[key] = spec.default;
    }
    return ok ? { values, spans, explicitName } : undefined;
  }

  // ---------- nodes

  private uniqueScope(frame: Frame, base: string, explicit: boolean): string {
    const n = (frame.counters.get(base) ?? 0) + 1;
    frame.counters.set(base, n);
    if (explicit) return n === 1 ? base : `${base}_${n}`;
    return `${base}${n}`;
  }

  private addNode(
    init: { op: string; base: string; explicit: boolean; inputs: number[]; attrs: unknown; args: Record<string, unknown>; written?: string[]; shape: Shape; span: Span },
    frame: Frame,
  ): IrNode | undefined {
    if (this.nodes.length >= LIMITS.nodes) {
      this.report('E0603', `the graph has more than ${LIMITS.nodes} nodes`, init.span, frame, { hint: 'check loop bounds and repeat counts' });
      this.abort();
      return undefined;
    }
    const big = init.shape.findIndex((d) => d > LIMITS.dim || !Number.isSafeInteger(d));
    if (big >= 0 || elementCount(init.shape) > LIMITS.elements) {
      const note =
        big >= 0
          ? `${grouped(init.shape[big]!)} is more than the largest dimension archc allows, ${grouped(LIMITS.dim)} (2^31 − 1)`
          : `${grouped(elementCount(init.shape))} elements per sample; the limit is ${grouped(LIMITS.elements)} (2^42)`;
      this.report('E0604', `${init.op} output ${formatShape(init.shape)} is too large to represent`, init.span, frame, { notes: [note] });
      return undefined;
    }
    let name = joinPath(frame.path, this.uniqueScope(frame, init.base, init.explicit));
    for (let k = 2; this.names.has(name); k++) name = `${joinPath(frame.path, init.base)}_${k}`;
    this.names.add(name);
    const node: IrNode = {
      id: this.nodes.length,
      name,
      op: init.op,
      inputs: init.inputs,
      attrs: init.attrs,
      args: init.args,
      written: init.written ?? [],
      shape: init.shape,
      span: init.span,
      callStack: frame.stack.map((s) => s.span),
      frozen: frame.frozen,
    };
    this.nodes.push(node);
    return node;
  }

  private abort(): void {
    this.aborted = true;
    throw new Stop();
  }

  private asShape(v: Value, span: Span, frame: Frame, what: string): number[] | undefined {
    if (v.kind === 'poison') return undefined;
    if (v.kind === 'list' && v.items.every((i) => i.kind === 'int')) return v.items.map((i) => (i as { value: number }).value);
    this.report('E0203', `${what} must be a list of integers such as [3, 224, 224], got ${show(v)}`, span, frame);
    return undefined;
  }
}

interface ModelIo {
  inputs: { name: string; node: number }[];
  outputs: { name: string; node: number }[];
}

/**
 * How a tensor got its spatial size, following first inputs back to the model input and keeping
 * only the steps that change it: `image 358×358 → maxpool1 179×179 → ... → up1.conv_transpose1 44×44`.
 */
export function sizeHistory(node: IrNode, nodes: readonly IrNode[]): string {
  const chain: IrNode[] = [];
  for (let n: IrNode | undefined = node; n; n = n.inputs.length ? nodes[n.inputs[0]!] : undefined) chain.push(n);
  chain.reverse();
  const steps: string[] = [];
  let last = '';
  for (const n of chain) {
    const size = n.shape.slice(1).join('×');
    if (size !== last) steps.push(`${n.name} ${size}`); // the op where the size changed
    last = size;
  }
  // Keep the start and the last few changes: deep backbones would otherwise print pages.
  const shown = steps.length > 9 ? [...steps.slice(0, 2), '…', ...steps.slice(-6)] : steps;
  return shown.join(' → ');
}

/** The call sites, innermost first; a run of the same site (recursion) is shown once with a count. */
function callNotes(stack: readonly CallSite[]): RelatedSpan[] {
  const out: RelatedSpan[] = [];
  for (let i = 0; i < stack.length; ) {
    const s = stack[i]!;
    let n = 1;
    while (i + n < stack.length && sameSpan(stack[i + n]!.span, s.span)) n++;
    out.push({ span: s.span, message: `in block '${s.block}', called here${n > 1 ? ` (${n} times, recursively)` : ''}` });
    i += n;
  }
  return out;
}

const sameSpan = (a: Span, b: Span): boolean => a.file === b.file && a.start.offset === b.start.offset && a.end.offset === b.end.offset;

const grouped = (n: number): string => n.toLocaleString('en-US');

function joinPath(prefix: string, name: string): string {
  return prefix ? `${prefix}.${name}` : name;
}

function hintFor(name: string, candidates: Iterable<string>): string | undefined {
  const match = closestMatch(name, candidates);
  return match ? `did you mean '${match}'?` : undefined;
}

function showFull(v: Value): string {
  if (v.kind === 'int') return v.value.toLocaleString('en-US');
  return show(v);
}

/** Where a name is assigned later in the block or model that uses it: a use-before-assignment. */
function assignedLater(name: string, span: Span, frame: Frame): Span | undefined {
  const inside = (d: A.Decl) => d.span.file === span.file && d.span.start.offset <= span.start.offset && span.end.offset <= d.span.end.offset;
  const decl = frame.module.ast.decls.find(inside);
  return decl ? bodyAssigns(decl.body, name) : undefined;
}

/** Where `name` is first assigned in a body, loops, frozen parts and if-branches included. */
function bodyAssigns(body: readonly A.Stmt[], name: string): Span | undefined {
  for (const s of body) {
    if (s.kind === 'assign') {
      const t = s.targets.find((x) => x.name === name);
      if (t) return t.span;
    }
    if ((s.kind === 'input' || s.kind === 'output') && s.name === name) return s.nameSpan;
    if (s.kind === 'for' && s.variable === name) return s.variableSpan;
    const value = s.kind === 'assign' || s.kind === 'output' ? s.value : s.kind === 'expr' ? s.expr : undefined;
    const nested =
      s.kind === 'for' || s.kind === 'frozen'
        ? bodyAssigns(s.body, name)
        : value?.kind === 'if'
          ? (bodyAssigns(value.then, name) ?? (value.else ? bodyAssigns(value.else, name) : undefined))
          : undefined;
    if (nested) return nested;
  }
  return undefined;
}

function fromJs(v: number | string | boolean): Value {
  if (typeof v === 'number') return num(v);
  if (typeof v === 'boolean') return bool(v);
  return { kind: 'string', value: v };
}

/** Converts a value to an op argument of the declared type, or explains why it cannot. */
function convertArg(v: Value, spec: ParamSpec): ArgValue | { error: string; hint?: string } {
  if (v.kind === 'none' && spec.default === null) return null;
  const isInt = (x: Value) => x.kind === 'int';
  const isNum = (x: Value) => x.kind === 'int' || x.kind === 'float';
  const ints = (x: Value) => x.kind === 'list' && x.items.length > 0 && x.items.every(isInt);
  const list = (x: Value) => (x as unknown as { items: { value: number }[] }).items.map((i) => i.value);
  switch (spec.type) {
    case 'int':
      return isInt(v) ? (v as { value: number }).value : { error: 'must be an integer' };
    case 'float':
      return isNum(v) ? (v as { value: number }).value : { error: 'must be a number' };
    case 'bool':
      return v.kind === 'bool' ? v.value : { error: 'must be true or false' };
    case 'string': {
      if (v.kind !== 'string') return { error: `must be a string${spec.oneOf ? ` (${spec.oneOf.map((s) => `"${s}"`).join(', ')})` : ''}` };
      if (spec.oneOf && !spec.oneOf.includes(v.value)) {
        const m = closestMatch(v.value, spec.oneOf);
        return { error: `must be one of ${spec.oneOf.map((s) => `"${s}"`).join(', ')}`, hint: m ? `did you mean "${m}"?` : undefined };
      }
      return v.value;
    }
    case 'ints':
      if (isInt(v)) return (v as { value: number }).value;
      return ints(v) ? list(v) : { error: 'must be an integer or a list of integers' };
    case 'floats':
      if (isNum(v)) return (v as { value: number }).value;
      return v.kind === 'list' && v.items.length > 0 && v.items.every(isNum) ? list(v) : { error: 'must be a number or a list of numbers' };
    case 'pad':
      if (isInt(v)) return (v as { value: number }).value;
      if (ints(v)) return list(v);
      if (v.kind === 'string' && ['same', 'valid', 'full'].includes(v.value)) return v.value;
      return {
        error: 'must be an integer, a list of integers, or "same", "valid" or "full"',
        hint: v.kind === 'string' && closestMatch(v.value, ['same', 'valid', 'full']) ? `did you mean "${closestMatch(v.value, ['same', 'valid', 'full'])}"?` : undefined,
      };
  }
}

export function expand(model: A.ModelDecl, module: Module, options: ExpandOptions = {}): ExpandResult {
  const x = new Expander(options);
  const graph = x.runModel(model, module);
  return { graph, diagnostics: x.diagnostics, expects: x.expects };
}

