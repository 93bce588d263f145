// The contract between an op file and the PyTorch code generator (compiler/lower-pytorch): an op's
// `pytorch` field says which torch.nn module holds its weights (if any) and how forward() computes
// it. Types and Python-literal helpers only, so that op files can import this without a cycle.
import type { Shape } from '../ir.js';

export interface PytorchContext<A> {
  /** The op's typed attributes, as its `infer` returned them. */
  readonly attrs: A;
  /** Python expressions (variable names) of the op's inputs, in order. */
  readonly inputs: readonly string[];
  /** The inputs' per-sample shapes (no batch axis). */
  readonly inputShapes: readonly Shape[];
  /** The op's per-sample output shape. */
  readonly shape: Shape;
  /**
   * The op's own module (`self.conv1`) when its `module` form is used; undefined when its weights
   * are registered elsewhere (names that do not nest under the op) or it has no module form.
   */
  readonly module?: string;
  /** The Python expression of one of the op's declared weights (`self.conv1.weight`). */
  weight(name: string): string;
}

/** A small nn.Module class an op needs (ViT's class token); emitted once per file when used. */
export interface PytorchHelper {
  readonly name: string;
  /** The class definition, PEP 8, without surrounding blank lines. */
  readonly code: string;
}

/** Methods, not function properties, so that ops of any attribute type share one registry type. */
export interface PytorchLowering<A> {
  /**
   * A Python expression building an nn.Module that holds exactly the op's declared weights under
   * the same short names (`nn.Conv2d(...)` has `weight` and `bias`), or, for weight-free ops, the
   * module form used inside nn.Sequential (`nn.ReLU()`). Omitted: the op only has a functional form.
   */
  module?(attrs: A, inputShapes: readonly Shape[]): string | undefined;
  /** Helper classes the module expression uses. */
  readonly helpers?: readonly PytorchHelper[];
  /**
   * The forward expression. Ops with weights use `ctx.module` when it is set and `ctx.weight(...)`
   * (functional form) otherwise; ops without weights should use the functional form.
   */
  forward(ctx: PytorchContext<A>): string;
}

/** A Python int or float literal (floats keep a decimal point: `1.0`, `1e-05`). */
export function pyFloat(v: number): string {
  if (!Number.isFinite(v)) return v > 0 ? "float('inf')" : v < 0 ? "float('-inf')" : "float('nan')";
  // Python's repr: 1e-05, not 0.00001.
  const s = v !== 0 && Math.abs(v) < 1e-4 ? v.toExponential() : String(v);
  if (/[.e]/.test(s)) return s.replace(/e([+-])(\d)$/, 'e$10$2');
  return `${s}.0`;
}

/** A Python bool. */
export const pyBool = (b: boolean): string => (b ? 'True' : 'False');

/** One int when every axis agrees (PyTorch broadcasts it), else a tuple: `3` or `(3, 1)`. */
export function pyInts(values: readonly number[]): string {
  if (values.length > 0 && values.every((v) => v === values[0])) return String(values[0]);
  return `(${values.join(', ')}${values.length === 1 ? ',' : ''})`;
}

/** A Python list of ints: `[0, 1]`. */
export const pyList = (values: readonly number[]): string => `[${values.join(', ')}]`;

/** The torch.nn suffix for a rank: `2d` for [C, H, W]. */
export const dims = (spatialRank: number): string => `${spatialRank}d`;

/**
 * F.pad's pad list for begin/end pads per spatial axis: PyTorch lists the last axis first,
 * `[left, right, top, bottom]`.
 */
export function torchPads(begin: readonly number[], end: readonly number[]): number[] {
  const out: number[] = [];
  for (let i = begin.length - 1; i >= 0; i--) out.push(begin[i]!, end[i]!);
  return out;
}

/** Keyword arguments, skipping those equal to PyTorch's defaults: `stride=2, bias=False`. */
export function kwargs(entries: readonly [string, string, string?][]): string {
  return entries
    .filter(([, value, dflt]) => value !== dflt)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
}

/** Joins call arguments, dropping empty ones. */
export const args = (...parts: string[]): string => parts.filter((p) => p !== '').join(', ');
