// A block checked on its own, without a caller: a block whose tensor parameters all declare their
// shape (`block up(x: [C, H, W], skip: [C/2, 2*H, 2*W])`) and whose other parameters have defaults
// is expanded with stand-in inputs of those shapes, the bare names at a trial size, so that the
// errors in its body are found even when nothing calls it. Sizes that are wrong only at one trial
// size (a merge that needs H even, a window wider than a small map) are not errors of the block:
// the block is tried at several sizes and reported only when every try fails. The successful try's
// graph is then followed symbolically (the names as size variables), which gives the conditions the
// block places on its callers.
import type * as A from '../../dsl/ast.js';
import { hasErrors, type Diagnostic } from '../diagnostics.js';
import type { IrGraph } from '../ir.js';
import type { Module } from '../loader.js';
import { lookupOp } from '../ops/registry.js';
import { builtins } from '../builtins.js';
import { analyzeSizes, type SizeAnalysis } from '../symbolic/index.js';
import { add, floorDiv, isSym, scale, variable, type Size } from '../symbolic/expr.js';
import type { SizeVariable } from '../symbolic/shapes.js';
import { int, type Value } from '../values.js';
import type { ArgIn } from './binder.js';
import { call } from './calls.js';
import { evaluate } from './expressions.js';
import { modelFrame } from './frame.js';
import { addNode } from './graph.js';
import { Expansion, Stop } from './state.js';

/** The sizes tried, in order: powers of two suit most strides, merges and channel splits. */
const TRIALS = [64, 96, 224, 60];

export interface BlockCheck {
  readonly block: string;
  readonly diagnostics: readonly Diagnostic[];
  /** The block's conditions on its sizes, when a try succeeded. */
  readonly sizes?: SizeAnalysis;
}

/** Whether a block can be checked on its own: every parameter has a shape signature or a default. */
export const checkable = (decl: A.BlockDecl): boolean =>
  decl.params.some((p) => p.annotation?.kind === 'list') && decl.params.every((p) => p.annotation?.kind === 'list' || p.default);

export function checkBlockAlone(decl: A.BlockDecl, module: Module): BlockCheck {
  let first: Diagnostic[] | undefined;
  for (const value of TRIALS) {
    const tried = tryAt(decl, module, value);
    if (!tried) return { block: decl.name, diagnostics: [] };
    if (!hasErrors(tried.diagnostics)) {
      const sizes = tried.graph && analyzeSizes(tried.graph, tried.graph.nodes.map(() => 0));
      return { block: decl.name, diagnostics: [], sizes };
    }
    first ??= tried.diagnostics.filter((d) => d.severity === 'error').map((d) => withNote(d, decl, tried.names));
  }
  return { block: decl.name, diagnostics: first ?? [] };
}

/** The stand-in call site is no place to show; a note says how the block was checked instead. */
function withNote(d: Diagnostic, decl: A.BlockDecl, names: readonly string[]): Diagnostic {
  const sizes = names.length ? `, with ${names.join(' = ')} = ${TRIALS.slice(0, -1).join(', ')} and ${TRIALS.at(-1)}, failing at each` : '';
  const related = d.related.filter((r) => r.span !== decl.nameSpan);
  return { ...d, related: [...related, { span: decl.nameSpan, message: `nothing calls block '${decl.name}': it is checked on its own${sizes}` }] };
}

/** Expands the block once with its bare signature names at `value`; undefined when a signature is not a plain shape. */
function tryAt(decl: A.BlockDecl, module: Module, value: number): { diagnostics: Diagnostic[]; graph?: IrGraph; names: string[] } | undefined {
  const x = new Expansion({});
  const frame = modelFrame(module);
  const args: ArgIn[] = [];
  const sizes: SizeVariable[] = [];
  const names: string[] = [];
  const bound = new Map<string, Value>();
  const inputs: { name: string; node: number }[] = [];
  for (const p of decl.params) {
    if (p.annotation?.kind !== 'list') continue;
    const shape: number[] = [];
    for (const [axis, e] of p.annotation.items.entries()) {
      if (e.kind === 'name' && !bound.has(e.name) && isFree(e.name, module)) {
        bound.set(e.name, int(value));
        frame.env.set(e.name, int(value));
        names.push(e.name);
        sizes.push({ name: e.name, input: p.name, axis, value });
        shape.push(value);
        continue;
      }
      const v = evaluate(x, e, frame);
      if (v.kind !== 'int' || v.value < 1) return undefined;
      const expr = asSize(e, bound);
      if (expr && isSym(expr)) sizes.push({ name: `${p.name}[${axis}]`, input: p.name, axis, value: v.value, expr });
      shape.push(v.value);
    }
    const node = addNode(x, { op: 'input', base: p.name, explicit: true, inputs: [], attrs: { shape }, args: {}, shape, span: p.span }, frame);
    if (!node) return undefined;
    inputs.push({ name: p.name, node: node.id });
    args.push({ name: p.name, value: { kind: 'tensor', node }, span: p.span });
  }
  for (const name of names) frame.env.delete(name);
  if (hasErrors(x.diagnostics)) return undefined;
  let result: Value = { kind: 'poison' };
  try {
    result = call(x, { kind: 'block', decl, module } as Value, args, { kind: 'name', name: decl.name, span: decl.nameSpan } as A.Expr, frame);
  } catch (e) {
    if (!(e instanceof Stop)) throw e;
  }
  const returned = result.kind === 'tensor' ? [result] : result.kind === 'list' ? result.items.filter((v) => v.kind === 'tensor') : [];
  const outputs = returned.map((t, k) => ({ name: `${decl.name}.${k}`, node: (t as { node: { id: number } }).node.id }));
  const graph: IrGraph = { model: decl.name, file: module.path, nodes: x.nodes, inputs, outputs, params: {}, sizes };
  return { diagnostics: x.diagnostics, graph: outputs.length ? graph : undefined, names };
}

const isFree = (name: string, module: Module): boolean => !module.scope.has(name) && !lookupOp(name) && !Object.hasOwn(builtins, name);

/** A signature dimension as a size expression in the names bound before it (`C/2`, `2*H`, `H + 1`). */
function asSize(e: A.Expr, bound: ReadonlyMap<string, Value>): Size | undefined {
  switch (e.kind) {
    case 'number':
      return e.isInt ? e.value : undefined;
    case 'name':
      return bound.has(e.name) ? variable(e.name) : undefined;
    case 'binary': {
      const [a, b] = [asSize(e.left, bound), asSize(e.right, bound)];
      if (a === undefined || b === undefined) return undefined;
      if (e.op === '+') return add(a, b);
      if (e.op === '-') return add(a, scale(b, -1));
      if (e.op === '*' && typeof a === 'number') return scale(b, a);
      if (e.op === '*' && typeof b === 'number') return scale(a, b);
      if (e.op === '/' && typeof b === 'number' && b > 0) return floorDiv(a, b);
      return undefined;
    }
    default:
      return undefined;
  }
}
