// Every ONNX op type the importer reads, and the rule that expresses it with archc ops.
import type { LiftContext, Rule } from '../lift.js';
import { activationRules } from './activation.js';
import { arithRules } from './arith.js';
import { shapeRules } from './shape.js';
import { gatherInts, intArithmetic, intRules } from './ints.js';
import { gatherRow, viewRules } from './views.js';
import { windowRules } from './window.js';
import { unpoolRules } from './unpool.js';
import { compareRules } from './compare.js';
import { resize } from './resize.js';
import { max, reduceL2 } from './l2norm.js';
import { pow, sqrt } from './layernorm.js';

/** Add/Sub/Mul/Div on shape vectors are integer arithmetic; on tensors, the element-wise rules. */
const onIntsOr =
  (ints: Rule, tensors: Rule): Rule =>
  (ctx: LiftContext) =>
    ctx.value(0)?.kind === 'ints' && ctx.value(1)?.kind === 'ints' ? ints(ctx) : tensors(ctx);

export const rules: Readonly<Record<string, Rule>> = {
  ...windowRules,
  ...unpoolRules,
  ...activationRules,
  ...shapeRules,
  ...viewRules,
  ...intRules,
  ...arithRules,
  ...compareRules,
  Equal: (ctx) => (ctx.value(0)?.kind === 'ints' && ctx.value(1)?.kind === 'ints' ? intRules['Equal']!(ctx) : compareRules['Equal']!(ctx)),
  Gather: (ctx) => {
    const source = ctx.value(0);
    return source?.kind === 'ints' ? gatherInts(ctx, source) : gatherRow(ctx);
  },
  Resize: resize,
  Pow: pow,
  Sqrt: sqrt,
  ReduceL2: reduceL2,
  Max: max,
  Add: onIntsOr(intArithmetic.Add, arithRules['Add']!),
  Sub: onIntsOr(intArithmetic.Sub, arithRules['Sub']!),
  Mul: onIntsOr(intArithmetic.Mul, arithRules['Mul']!),
  Div: onIntsOr(intArithmetic.Div, arithRules['Div']!),
};

/** Whether the importer has a rule for this op type (the standard domain only). */
export const supportsOp = (op: string, domain = ''): boolean => (!domain || domain === 'ai.onnx') && Object.hasOwn(rules, op);
