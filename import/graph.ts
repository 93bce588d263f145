// The importer's graph: archc primitive ops (the registry's names and arguments) over tensors with
// per-sample shapes, each carrying the ONNX tensors that become its weights. The lifting rules build
// it from ONNX nodes; the block finder and the printer read it. Shapes and weight shapes come from
// the op files themselves (`infer`, `weights`), so the importer never restates an op's shape rule.
import type { Shape } from '../compiler/ir.js';
import type { ArgValue, OpContext, WeightSpec } from '../compiler/ops/op.js';
import { lookupOp } from '../compiler/ops/registry.js';
import type { ConstTensor } from './onnx-read.js';

export interface LiftedNode {
  readonly id: number;
  /** An archc op, or `input`. */
  readonly op: string;
  readonly inputs: readonly number[];
  /** The arguments that differ from the op's defaults (an input's are empty). */
  readonly args: Readonly<Record<string, ArgValue>>;
  /** Weight tensors by the op's short weight name (`weight`, `bias`, `running_mean`). */
  readonly weights: ReadonlyMap<string, ConstTensor>;
  readonly shape: Shape;
  /** The ONNX node this came from (its name, or its op type and index). */
  readonly origin: string;
  /** The input's name, for `input` nodes. */
  readonly inputName?: string;
}

export interface LiftedGraph {
  readonly nodes: readonly LiftedNode[];
  readonly outputs: readonly { readonly name: string; readonly node: number }[];
}

/** A failure to express an ONNX node in archc: the message names the node. */
export class LiftError extends Error {}

/** The op's declared weights for these arguments and input shapes (shapes only). */
export function weightSpecs(op: string, args: Readonly<Record<string, ArgValue>>, inputs: readonly Shape[]): WeightSpec[] {
  const def = lookupOp(op)!;
  const inferred = infer(op, args, inputs);
  return def.weights?.(inferred.attrs, inputs) ?? [];
}

/** Runs the op's own shape rule; an error there means the importer built a wrong call. */
export function infer(op: string, args: Readonly<Record<string, ArgValue>>, inputs: readonly Shape[]): { attrs: unknown; shape: Shape } {
  const def = lookupOp(op);
  if (!def) throw new LiftError(`archc has no op '${op}'`);
  const full: Record<string, ArgValue> = {};
  for (const [k, spec] of Object.entries(def.params)) {
    const v = args[k] ?? spec.default;
    if (v === undefined) throw new LiftError(`${op} needs '${k}'`);
    full[k] = v;
  }
  const problems: string[] = [];
  const ctx: OpContext = {
    error: (_code, message) => void problems.push(message),
    warn: () => undefined,
    given: (arg) => arg in args,
  };
  const result = def.infer(inputs, full, ctx);
  if (!result) throw new LiftError(`${op}(${JSON.stringify(args)}) on [${inputs.map((s) => s.join(', ')).join('], [')}]: ${problems.join('; ')}`);
  return result;
}

export const sameShape = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((d, i) => d === b[i]);
