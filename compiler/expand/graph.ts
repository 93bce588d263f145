// Graph building: an op call becomes one IR node, with its shape inferred on the spot (the language
// may branch on shapes, e.g. `x.channels`), a unique dotted name, its span and its call stack.
import type * as A from '../../dsl/ast.js';
import type { Span } from '../../dsl/source.js';
import type { IrNode, Shape } from '../ir.js';
import type { Args, OpContext, OpDef, ReportOptions } from '../ops/op.js';
import { POISON, type Value } from '../values.js';
import { bindOpArgs, splitOpInputs, type ArgIn } from './binder.js';
import { opExplanation } from './explain.js';
import { joinPath, uniqueScope, type Frame } from './frame.js';
import { nodeWithinLimits } from './limits.js';
import type { Expansion } from './state.js';

/** Calls a primitive op: binds its arguments, infers its output shape and adds its node. */
export function callOp(x: Expansion, name: string, op: OpDef, args: ArgIn[], at: A.Expr, frame: Frame): Value {
  if (x.aborted) return POISON;
  const callSpan = at.span;
  const { inputs, poisoned, rest } = splitOpInputs(op, args);
  // An op that makes a tensor (param, buffer) takes none: a piped-in one is not its first argument.
  const piped = op.arity.max === 0 && args[0] && !args[0].name && args[0].value.kind === 'tensor';
  if (piped) {
    x.report('E0202', `${name} takes no tensor input: it makes a tensor of its own`, callSpan, frame, {
      hint: `combine it with x instead, e.g. x * ${name}(...)`,
    });
    return POISON;
  }
  if (!poisoned && (inputs.length < op.arity.min || inputs.length > op.arity.max)) {
    const want = op.arity.max === Infinity ? `at least ${op.arity.min}` : op.arity.min === op.arity.max ? `${op.arity.min}` : `${op.arity.min} to ${op.arity.max}`;
    x.report('E0202', `${name} takes ${want} tensor input${op.arity.max === 1 ? '' : 's'}, got ${inputs.length}`, callSpan, frame, {
      hint: inputs.length === 0 ? `pipe a tensor into it: x |> ${name}(...)` : undefined,
    });
    return POISON;
  }
  const checked = bindOpArgs(x, name, op, rest, callSpan, frame);
  if (!checked || poisoned || rest.some((a) => a.value.kind === 'poison')) return POISON;
  const { values, spans, explicitName } = checked;
  let failed = false;
  // The caret goes under the argument at fault, else under the call that failed; where a bad input
  // came from is a related note (opExplanation), never the primary place.
  const spanFor = (o?: ReportOptions): Span => (o?.arg && spans.get(o.arg)) || callSpan;
  const ctx: OpContext = {
    error: (code, message, o) => {
      failed = true;
      x.report(code, message, spanFor(o), frame, opExplanation(o, inputs, x.nodes));
      return undefined;
    },
    warn: (code, message, o) => {
      if (frame.allow.has(code) || checked.allow.includes(code)) return; // silenced on purpose with allow=
      x.report(code, message, spanFor(o), frame, opExplanation(o, inputs, x.nodes));
    },
    given: (arg) => spans.has(arg),
  };
  const result = op.infer(
    inputs.map((i) => i.node.shape),
    values,
    ctx,
  );
  if (!result || failed) {
    if (!failed) x.report('E0900', `${name} failed without saying why`, callSpan, frame);
    return POISON;
  }
  const node = addNode(
    x,
    { op: name, base: explicitName ?? name, explicit: explicitName !== undefined, inputs: inputs.map((i) => i.node.id), attrs: result.attrs, args: values, written: [...spans.keys()], shape: result.shape, span: callSpan, argDims: checked.dims },
    frame,
  );
  return node ? { kind: 'tensor', node } : POISON;
}

export interface NodeInit {
  readonly op: string;
  /** The name before numbering: the op's name, or the user's name=. */
  readonly base: string;
  readonly explicit: boolean;
  readonly inputs: number[];
  readonly attrs: unknown;
  readonly args: Args;
  readonly argDims?: IrNode['argDims'];
  readonly written?: string[];
  readonly shape: Shape;
  readonly span: Span;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function hasKeys(o: object): boolean {
  for (const _ in o) return true;
  return false;
}

// The nodes of one block call share its call stack: the two views of it are made once per call,
// not once per node (a model of 160,000 nodes otherwise spends much of its time collecting them).
const views = new WeakMap<Frame['stack'], Pick<IrNode, 'callStack' | 'blocks'>>();
function stackViews(stack: Frame['stack']): Pick<IrNode, 'callStack' | 'blocks'> {
  let view = views.get(stack);
  if (!view) views.set(stack, (view = { callStack: stack.map((s) => s.span), blocks: stack.map((s) => s.call) }));
  return view;
}

/** Adds a node under a name unique in the graph, or reports why it cannot be represented. */
export function addNode(x: Expansion, init: NodeInit, frame: Frame): IrNode | undefined {
  if (!nodeWithinLimits(x, init.op, init.shape, init.span, frame)) return undefined;
  let name = joinPath(frame.path, uniqueScope(frame, init.base, init.explicit));
  for (let k = 2; x.names.has(name); k++) name = `${joinPath(frame.path, init.base)}_${k}`;
  x.names.add(name);
  const views = stackViews(frame.stack);
  // Plain properties, not spreads: every node gets the same object layout, which V8 builds fast.
  const node: Mutable<IrNode> = {
    id: x.nodes.length,
    name,
    op: init.op,
    inputs: init.inputs,
    attrs: init.attrs,
    args: init.args,
    written: init.written ?? [],
    shape: init.shape,
    span: init.span,
    callStack: views.callStack,
    blocks: views.blocks,
    frozen: frame.frozen,
  };
  if (init.argDims && hasKeys(init.argDims)) node.argDims = init.argDims;
  x.nodes.push(node);
  return node;
}
