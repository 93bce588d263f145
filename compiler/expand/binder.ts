// The binder: matches a call's arguments to what the callee declares, for ops (typed parameters
// with defaults, after the leading tensor inputs) and for blocks (parameters bound to values, with
// defaults evaluated in the block's own frame). `name=` is the node or block scope name for both.
import type * as A from '../../dsl/ast.js';
import type { Span } from '../../dsl/source.js';
import { closestMatch } from '../diagnostics.js';
import type { IrNode } from '../ir.js';
import type { ArgValue, OpDef, ParamSpec } from '../ops/op.js';
import { int, show, typeName, type DimRef, type Value } from '../values.js';
import { formatShape } from '../ir.js';
import { lookupOp } from '../ops/registry.js';
import { builtins } from '../builtins.js';
import { notAllowable } from '../allow.js';
import { hintFor } from './explain.js';
import { evaluate } from './expressions.js';
import type { Frame } from './frame.js';
import type { Expansion } from './state.js';

/** One argument of a call, already evaluated. */
export interface ArgIn {
  readonly name?: string;
  readonly value: Value;
  readonly span: Span;
}

export interface OpInput {
  readonly node: IrNode;
  readonly span: Span;
}

/**
 * Leading positional tensors (or lists of tensors) are an op's inputs; the rest are its parameters.
 * An argument that already failed (poison) takes an input slot: it stands for the tensor the user
 * meant, so the parameters after it keep their places and none is reported missing.
 */
export function splitOpInputs(op: OpDef, args: readonly ArgIn[]): { inputs: OpInput[]; poisoned: boolean; rest: ArgIn[] } {
  const inputs: OpInput[] = [];
  let poisoned = 0;
  let i = 0;
  for (; i < args.length && !args[i]!.name && inputs.length + poisoned < op.arity.max; i++) {
    const v = args[i]!.value;
    if (v.kind === 'tensor') inputs.push({ node: v.node, span: args[i]!.span });
    else if (v.kind === 'poison') poisoned++;
    else if (v.kind === 'list' && v.items.length > 0 && v.items.every((x) => x.kind === 'tensor' || x.kind === 'poison')) {
      for (const x of v.items) {
        if (x.kind === 'tensor') inputs.push({ node: x.node, span: args[i]!.span });
        else poisoned++;
      }
    } else break;
  }
  return { inputs, poisoned: poisoned > 0, rest: args.slice(i) };
}

export interface BoundOpArgs {
  readonly values: Record<string, ArgValue>;
  /** The arguments the user wrote, with where. */
  readonly spans: Map<string, Span>;
  readonly explicitName?: string;
  /** Warning codes this call silences (`allow="W0102"`). */
  readonly allow: readonly string[];
  /** Integer arguments read from tensor axes (`size=[x.height, x.width]`), per item; see DimRef. */
  readonly dims: Record<string, (DimRef | undefined)[]>;
}

// Each op's parameter list, made once (an op is called up to 200,000 times in one expansion).
const entries = new WeakMap<OpDef, readonly [string, ParamSpec][]>();
function paramEntries(op: OpDef): readonly [string, ParamSpec][] {
  let list = entries.get(op);
  if (!list) entries.set(op, (list = Object.entries(op.params) as [string, ParamSpec][]));
  return list;
}

/** An op's parameters from the call's non-tensor arguments, converted to their declared types. */
export function bindOpArgs(x: Expansion, name: string, op: OpDef, args: readonly ArgIn[], callSpan: Span, frame: Frame): BoundOpArgs | undefined {
  const specs = paramEntries(op);
  const values: Record<string, ArgValue> = {};
  const spans = new Map<string, Span>();
  let explicitName: string | undefined;
  const allow: string[] = [];
  const dims: Record<string, (DimRef | undefined)[]> = {};
  let ok = true;
  const positional = args.filter((a) => !a.name);
  if (positional.length > specs.length) {
    const extra = positional[specs.length]!;
    x.report('E0202', `${name} takes ${specs.length} argument${specs.length === 1 ? '' : 's'} after its input, got ${positional.length}`, extra.span, frame, {
      notes: [`${name}(${specs.map(([k, s]) => (s.default === undefined ? k : `${k}=${JSON.stringify(s.default)}`)).join(', ')})`],
      hint: extra.value.kind === 'tensor' ? `${name} takes ${op.arity.max} tensor input${op.arity.max === 1 ? '' : 's'}` : undefined,
    });
    return undefined;
  }
  const given: [string, ArgIn][] = positional.map((a, k) => [specs[k]![0], a]);
  for (const a of args.filter((y) => y.name)) {
    if (a.name === 'name') {
      explicitName = scopeNameArg(x, a, frame) ?? explicitName;
      continue;
    }
    if (a.name === 'allow') {
      allow.push(...allowArg(x, a, frame));
      continue;
    }
    if (!Object.hasOwn(op.params, a.name!)) {
      x.report('E0204', `${name} has no argument '${a.name}'`, a.span, frame, {
        hint: hintFor(a.name!, Object.keys(op.params)),
        notes: [`${name}(${specs.map(([k]) => k).join(', ')})`],
      });
      continue; // reported; the call still runs without it, so later errors surface too
    }
    if (given.some(([k]) => k === a.name)) {
      x.report('E0202', `${name} argument '${a.name}' is given twice`, a.span, frame);
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
      x.report('E0203', `${name} argument '${key}' ${v.error}, got ${show(a.value)}`, a.span, frame, { hint: v.hint });
      ok = false;
    } else values[key] = v as ArgValue;
    const items = a.value.kind === 'list' ? a.value.items : [a.value];
    const refs = items.map((item) => (item.kind === 'int' ? item.dim : undefined));
    if (refs.some((r) => r)) dims[key] = refs;
  }
  for (const [key, spec] of specs) {
    if (key in values || spans.has(key)) continue;
    if (spec.default === undefined) {
      x.report('E0206', `${name} needs a value for '${key}'`, callSpan, frame, {
        notes: [`${name}(${specs.map(([k]) => k).join(', ')})`],
      });
      ok = false;
    } else values[key] = spec.default;
  }
  return ok ? { values, spans, explicitName, allow, dims } : undefined;
}

/** A block's parameters from the call's arguments; defaults come later, in the block's frame. */
export function bindBlockArgs(
  x: Expansion,
  decl: A.BlockDecl,
  args: readonly ArgIn[],
  frame: Frame,
): { env: Map<string, Value>; scopeName?: string; numbered: boolean; allow: string[]; ok: boolean } {
  const params = new Set(decl.params.map((p) => p.name));
  let scopeName: string | undefined;
  let numbered = false;
  const allow: string[] = [];
  const env = new Map<string, Value>();
  const positional = args.filter((a) => !a.name);
  let ok = true;
  if (positional.length > decl.params.length) {
    x.report('E0202', `block '${decl.name}' takes ${decl.params.length} arguments, got ${positional.length}`, positional[decl.params.length]!.span, frame, {
      related: [{ span: decl.nameSpan, message: `'${decl.name}' is defined here` }],
    });
    ok = false;
  }
  positional.forEach((a, i) => {
    const p = decl.params[i];
    if (p) env.set(p.name, a.value);
  });
  for (const a of args.filter((y) => y.name)) {
    if (a.name === 'name' && !params.has('name')) {
      scopeName = scopeNameArg(x, a, frame) ?? scopeName;
      continue;
    }
    if (a.name === 'numbered' && !params.has('numbered')) {
      // numbered=true: the block's unnamed layers are named 0, 1, 2, ... as in an nn.Sequential.
      if (a.value.kind === 'bool') numbered = a.value.value;
      else x.report('E0203', `numbered= needs true or false, got ${typeName(a.value)}`, a.span, frame);
      continue;
    }
    if (a.name === 'allow' && !params.has('allow')) {
      allow.push(...allowArg(x, a, frame));
      continue;
    }
    if (!params.has(a.name!)) {
      x.report('E0204', `block '${decl.name}' has no parameter '${a.name}'`, a.span, frame, {
        hint: hintFor(a.name!, [...params]),
        related: [{ span: decl.nameSpan, message: `'${decl.name}' is defined here` }],
      });
      ok = false;
      continue;
    }
    if (env.has(a.name!)) {
      x.report('E0202', `'${a.name}' is given twice`, a.span, frame);
      ok = false;
    }
    env.set(a.name!, a.value);
  }
  return { env, scopeName, numbered, allow, ok };
}

/** Fills the block parameters the call left out from their defaults, evaluated in the block's frame. */
export function bindBlockDefaults(x: Expansion, decl: A.BlockDecl, inner: Frame, callSpan: Span, caller: Frame): boolean {
  let ok = true;
  for (const p of decl.params) {
    if (inner.env.has(p.name)) continue;
    if (p.default) inner.env.set(p.name, evaluate(x, p.default, inner));
    else {
      x.report('E0206', `block '${decl.name}' needs a value for '${p.name}'`, callSpan, caller, {
        related: [{ span: p.span, message: `'${p.name}' is declared here without a default` }],
      });
      ok = false;
    }
  }
  return ok;
}

/**
 * Block tensor signatures (`block up(x: [C, H, W], skip: [C/2, 2*H, 2*W])`), checked at each call
 * in declaration order: a bare name binds to the argument's dimension the first time (and is then a
 * name in the block's body), every other dimension must equal its expression. A mismatch is an
 * error at the argument, with the signature and the op that made the tensor.
 */
export function checkSignatures(x: Expansion, decl: A.BlockDecl, args: readonly ArgIn[], inner: Frame, callSpan: Span, caller: Frame): boolean {
  const positional = args.filter((a) => !a.name);
  for (const [i, p] of decl.params.entries()) {
    if (!p.annotation) continue;
    const value = inner.env.get(p.name);
    if (!value || value.kind === 'poison') continue;
    const at = args.find((a) => a.name === p.name)?.span ?? positional[i]?.span ?? callSpan;
    const written = inner.module.source.text.slice(p.annotation.span.start.offset, p.annotation.span.end.offset);
    const declared = { span: p.annotation.span, message: `'${p.name}' is declared ${written} here` };
    if (value.kind !== 'tensor') {
      x.report('E0203', `block '${decl.name}' takes a tensor ${written} for '${p.name}', got ${typeName(value)}`, at, caller, { related: [declared] });
      return false; // later signatures may use names this one would have bound: say nothing more
    }
    const shape = value.node.shape;
    const items = p.annotation.kind === 'list' ? p.annotation.items : undefined;
    const made = { span: value.node.span, message: `this ${value.node.op} made ${formatShape(shape)}` };
    if (items && items.length !== shape.length) {
      x.report('E0502', `block '${decl.name}' needs '${p.name}' shaped ${written} (${items.length} axes), got ${formatShape(shape)}`, at, caller, { related: [declared, made] });
      return false; // later signatures may use names this one would have bound: say nothing more
    }
    if (items) {
      items.forEach((e, k) => {
        if (e.kind === 'name' && !inner.env.has(e.name) && !inner.module.scope.has(e.name) && !lookupOp(e.name) && !Object.hasOwn(builtins, e.name)) inner.env.set(e.name, int(shape[k]!));
      });
    }
    const want = evaluate(x, p.annotation, inner);
    if (want.kind === 'poison') continue;
    const dims = want.kind === 'list' ? want.items : [];
    const matches = dims.length === shape.length && dims.every((d, k) => (d.kind === 'int' || d.kind === 'float') && d.value === shape[k]);
    if (matches) continue;
    const expected = want.kind === 'list' ? `[${want.items.map(show).join(', ')}]` : show(want);
    x.report('E0502', `block '${decl.name}' needs '${p.name}' shaped ${written} = ${expected}, got ${formatShape(shape)}`, at, caller, {
      related: [declared, made],
    });
    return false;
  }
  return true;
}

/** `name="stem"`: the scope name a call gives its node or block. */
function scopeNameArg(x: Expansion, a: ArgIn, frame: Frame): string | undefined {
  if (a.value.kind === 'string') return a.value.value;
  x.report('E0203', `name= needs a string, got ${typeName(a.value)}`, a.span, frame);
  return undefined;
}

/** `allow="W0102"` or `allow=["W0102", "W0105"]`: the warnings a call silences. */
function allowArg(x: Expansion, a: ArgIn, frame: Frame): string[] {
  if (a.value.kind === 'poison') return [];
  const items = a.value.kind === 'list' ? a.value.items : [a.value];
  const codes: string[] = [];
  for (const item of items) {
    if (item.kind !== 'string') {
      x.report('E0203', `allow= needs a warning code such as "W0102" or a list of them, got ${typeName(a.value)}`, a.span, frame);
      return [];
    }
    const bad = notAllowable(item.value);
    if (bad) x.report('E0211', bad.message, a.span, frame, { hint: bad.hint });
    else codes.push(item.value);
  }
  return codes;
}

/** Converts a value to an op argument of the declared type, or explains why it cannot. */
function convertArg(v: Value, spec: ParamSpec): ArgValue | { error: string; hint?: string } {
  if (v.kind === 'none' && spec.default === null) return null;
  const isInt = (y: Value) => y.kind === 'int';
  const isNum = (y: Value) => y.kind === 'int' || y.kind === 'float';
  const ints = (y: Value) => y.kind === 'list' && y.items.length > 0 && y.items.every(isInt);
  const list = (y: Value) => (y as unknown as { items: { value: number }[] }).items.map((i) => i.value);
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
