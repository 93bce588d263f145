// expand: evaluates a model at compile time into a flat IR graph. Blocks, loops and conditionals
// disappear; every node keeps its own span and the chain of block call sites that produced it.
//
// Where each concern lives:
//   model.ts        a model's parameters, body, inputs and outputs
//   statements.ts   statements (input, output, assignment, return, for, frozen, annotations)
//   expects.ts      `expect` lines (deferred in models until the counters are known)
//   expressions.ts  expressions, names, members, indexing, arithmetic
//   calls.ts        calls: ops, blocks (new frames), builtins
//   binder.ts       matching call arguments to op and block parameters
//   graph.ts        op calls into IR nodes (shape inference, unique names)
//   frame.ts        frames and the call stack
//   limits.ts       the hard limits (depth, loop count, graph size, tensor size)
//   explain.ts      explanations attached to diagnostics
//   block-check.ts  a block with shape signatures checked on its own, without a caller
//   state.ts        the expansion's shared state and `report`
import type * as A from '../../dsl/ast.js';
import type { Module } from '../loader.js';
import { runModel } from './model.js';
import { Expansion, type ExpandOptions, type ExpandResult } from './state.js';

export type { DeferredExpect, ExpandOptions, ExpandResult } from './state.js';
export { EXPECT_COUNTERS } from './expects.js';
export { LIMITS } from './limits.js';
export { sizeHistory } from './explain.js';
export { checkBlockAlone, checkable, type BlockCheck } from './block-check.js';

export function expand(model: A.ModelDecl, module: Module, options: ExpandOptions = {}): ExpandResult {
  const x = new Expansion(options);
  const graph = runModel(x, model, module);
  return { graph, diagnostics: x.diagnostics, expects: x.expects, called: x.called };
}
