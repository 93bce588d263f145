// The text of one archc op call as a person would write it: required arguments positional,
// the rest by name, defaults left out, `bn` rather than `bn()`, `y + s` for two-tensor add/sub/mul,
// and `name="layer1.0.conv1"` when the ONNX weights carry a module path.
import type { ArgValue } from '../compiler/ops/op.js';
import { lookupOp } from '../compiler/ops/registry.js';
import { formatFloat } from '../compiler/lower-onnx/proto.js';

const INFIX: Record<string, string> = { add: '+', sub: '-', mul: '*', div: '/' };

/** archc's scalar op as the DSL writes it (`x * 0.5`, `1 - x`): its symbol, and whether c comes first. */
const SCALAR_INFIX: Record<string, [string, boolean]> = { add: ['+', false], sub: ['-', false], rsub: ['-', true], mul: ['*', false], div: ['/', false], rdiv: ['/', true] };

/** An argument value as DSL text (`3`, `0.001`, `false`, `"same"`, `[1, 2]`); `expr` is verbatim. */
export function valueText(v: ArgValue | { readonly expr: string }): string {
  if (v !== null && typeof v === 'object' && 'expr' in v) return v.expr;
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : formatFloat(v);
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'boolean') return String(v);
  if (v === null) return 'none';
  return `[${v.map((x) => valueText(x)).join(', ')}]`;
}

export type ArgText = ArgValue | { readonly expr: string };

/**
 * `op(args…)` for a call whose tensor inputs are `inputs` (the first is omitted: it arrives through
 * `|>`, unless `all` is set for multi-input ops).
 */
/** A layer's name: a string, or an expression that makes one (`str(k + 1) + ".fc1"`). */
export type ArgName = string | { readonly expr: string } | undefined;

export function callText(op: string, args: Readonly<Record<string, ArgText>>, inputs: readonly string[], name?: ArgName): string {
  if (INFIX[op] && inputs.length === 2 && Object.keys(args).length === 0 && !name) return `${inputs[0]} ${INFIX[op]} ${inputs[1]}`;
  const scalar = op === 'scalar' && typeof args['op'] === 'string' && SCALAR_INFIX[args['op']] && inputs.length === 1 && !name;
  if (scalar) {
    const [symbol, reversed] = SCALAR_INFIX[args['op'] as string]!;
    const c = valueText(args['value']!);
    return reversed ? `${c} ${symbol} ${inputs[0]}` : `${inputs[0]} ${symbol} ${c}`;
  }
  const def = lookupOp(op);
  const parts: string[] = [];
  if (def && (def.arity.max > 1 || op === 'scalar')) parts.push(op === 'concat' ? `[${inputs.join(', ')}]` : inputs.join(', '));
  let positional = true;
  for (const [key, spec] of Object.entries(def?.params ?? {})) {
    const v = args[key];
    if (v === undefined) {
      positional = false;
      continue;
    }
    const required = spec.default === undefined;
    parts.push(required && positional ? valueText(v) : `${key}=${valueText(v)}`);
    if (!required) positional = false;
  }
  if (!def) for (const [key, v] of Object.entries(args)) parts.push(`${key}=${valueText(v)}`);
  if (name) parts.push(`name=${typeof name === 'string' ? JSON.stringify(name) : name.expr}`);
  return parts.length === 0 ? op : `${op}(${parts.join(', ')})`;
}

/** Whether the op takes a single tensor (so it can follow `|>`). */
export const isUnary = (op: string): boolean => op !== 'scalar' && (lookupOp(op)?.arity.max ?? 1) === 1;
