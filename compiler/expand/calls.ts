// Calls: what a called value is decides how it runs. Ops make a node (graph.ts), blocks run their
// body in a new frame, builtins compute a value.
import type * as A from '../../dsl/ast.js';
import type { Span } from '../../dsl/source.js';
import type { Module } from '../loader.js';
import { builtins, TENSOR_FORMS } from '../builtins.js';
import { lookupOp } from '../ops/registry.js';
import { POISON, typeName, type Value } from '../values.js';
import { bindBlockArgs, bindBlockDefaults, checkSignatures, type ArgIn } from './binder.js';
import { blockFrame, uniqueScope, type Frame } from './frame.js';
import { callOp } from './graph.js';
import { checkDepth } from './limits.js';
import { execBody } from './statements.js';
import type { Expansion } from './state.js';

export function call(x: Expansion, callee: Value, args: ArgIn[], at: A.CallExpr | A.Expr, frame: Frame): Value {
  if (callee.kind === 'poison' || x.aborted) return POISON;
  const span = at.kind === 'call' ? at.callee.span : at.span;
  switch (callee.kind) {
    case 'op':
      return callOp(x, callee.name, callee.op, args, at, frame);
    case 'block':
      return callBlock(x, callee.decl, callee.module, args, at, frame);
    case 'builtin': {
      // mean, sum and max of a tensor reduce it over axes (the reduce_* ops, under their plain names).
      const reduction = TENSOR_FORMS[callee.name];
      if (reduction && args[0]?.value.kind === 'tensor') return callOp(x, reduction, lookupOp(reduction)!, args, at, frame);
      return callBuiltin(x, callee.name, args, at, frame);
    }
    default:
      x.report('E0207', `${typeName(callee)} cannot be called`, span, frame, {
        hint: callee.kind === 'tensor' ? 'pipe the tensor into an op instead: x |> op(...)' : undefined,
      });
      return POISON;
  }
}

function callBuiltin(x: Expansion, name: string, args: ArgIn[], at: A.Expr, frame: Frame): Value {
  const def = builtins[name]!;
  if (args.some((a) => a.value.kind === 'poison')) return POISON;
  if (args.some((a) => a.name)) {
    x.report('E0204', `${name}() takes positional arguments only`, args.find((a) => a.name)!.span, frame);
    return POISON;
  }
  if (args.length < def.arity.min || args.length > def.arity.max) {
    const want = def.arity.min === def.arity.max ? `${def.arity.min}` : `${def.arity.min} to ${def.arity.max}`;
    x.report('E0202', `${name}() takes ${want} arguments, got ${args.length}`, at.span, frame);
    return POISON;
  }
  const result = def.apply(args.map((a) => a.value));
  if (typeof result === 'string') {
    x.report('E0203', `${name}() ${result}`, at.span, frame, { hint: def.doc });
    return POISON;
  }
  return result;
}

function callBlock(x: Expansion, decl: A.BlockDecl, module: Module, args: ArgIn[], at: A.Expr, frame: Frame): Value {
  x.called.add(decl);
  checkDepth(x, decl, at.span, frame);
  // The depth counts from here, not from the body: a default that calls the block itself
  // (`block f(x, n = f(x))`) recurses while its arguments are bound.
  x.depth++;
  try {
    return expandBlock(x, decl, module, args, at.span, frame);
  } finally {
    x.depth--;
  }
}

function expandBlock(x: Expansion, decl: A.BlockDecl, module: Module, args: ArgIn[], callSpan: Span, frame: Frame): Value {
  const bound = bindBlockArgs(x, decl, args, frame);
  const scope = bound.scopeName === '' ? undefined : uniqueScope(frame, bound.scopeName ?? decl.name, bound.scopeName !== undefined);
  const inner = blockFrame(frame, module, bound.env, scope, decl.name, callSpan, bound.numbered, bound.allow);
  const defaultsOk = bindBlockDefaults(x, decl, inner, callSpan, frame);
  if (!bound.ok || !defaultsOk) return POISON;
  if (!checkSignatures(x, decl, args, inner, callSpan, frame)) return POISON;
  recordArgs(inner, decl);
  execBody(x, decl.body, inner);
  if (inner.returned === undefined) {
    if (!x.aborted) {
      x.report('E0207', `block '${decl.name}' ended without 'return'`, decl.nameSpan, frame, {
        related: [{ span: callSpan, message: 'called here' }],
        hint: `end the block with 'return' and the tensor(s) it gives back`,
      });
    }
    return POISON;
  }
  return inner.returned;
}

/** The block's number arguments, for code generators (BlockCall.args: `width`, `stride`, ...). */
function recordArgs(inner: Frame, decl: A.BlockDecl): void {
  const args = inner.stack[0]!.call.args as Record<string, number>;
  for (const p of decl.params) {
    const v = inner.env.get(p.name);
    if (v?.kind === 'int' || v?.kind === 'float') args[p.name] = v.value;
  }
}
