// The contract every primitive op fulfils, in one file per op under compiler/ops/. Parameter counts
// are derived from `weights`, never written as a second formula.
import type { IrNode, Shape } from '../ir.js';
import type { Size } from '../symbolic/expr.js';
import type { Constraint } from '../symbolic/constraints.js';
import type { DiagnosticCode } from '../diagnostics.js';
import type { OnnxLowering } from '../lower-onnx/lowering.js';
import type { TfjsLowering } from '../lower-tfjs/contract.js';
import type { PytorchLowering } from '../lower-pytorch/lowering.js';

/** An `ints` or `floats` argument: one number, or a list of them. */
export type ListArg = number | readonly number[];
/** A `pad` argument: a number, a list, or one of the named modes. */
export type PadArg = ListArg | 'same' | 'valid' | 'full';

/** An `ints` or `floats` argument as a list: one number stands for a list of one. */
export const asList = (v: ListArg): number[] => (typeof v === 'number' ? [v] : [...v]);

/** Argument types the evaluator checks before an op sees them. */
export type ParamType =
  | 'int' // an integer
  | 'float' // any number
  | 'bool'
  | 'string' // see `oneOf`
  | 'ints' // an integer, or a list of integers (one per spatial axis)
  | 'floats' // a number or a list of numbers
  | 'pad'; // an integer, a list of integers, or "same" | "valid" | "full"

export interface ParamSpec {
  readonly type: ParamType;
  /** Omitted: the argument is required. */
  readonly default?: ArgValue;
  /** For strings: the accepted values. */
  readonly oneOf?: readonly string[];
  readonly doc?: string;
}

/** A checked argument: numbers, booleans, strings and lists of them. */
export type ArgValue = number | boolean | string | readonly number[] | null;

export type Args = Readonly<Record<string, ArgValue>>;

/** An op's parameter schema: argument name → spec, in positional order. */
export type Params = Readonly<Record<string, ParamSpec>>;

/** The value of an argument of this type (distributes over a union of types). */
type ValueOfType<T> = T extends 'int' | 'float'
  ? number
  : T extends 'bool'
    ? boolean
    : T extends 'string'
      ? string
      : T extends 'ints' | 'floats'
        ? ListArg
        : T extends 'pad'
          ? PadArg
          : never;

/** The checked value of one argument, as the evaluator hands it over (compiler/expand/binder.ts). */
export type ArgOf<S extends ParamSpec> =
  | (S extends { readonly type: 'string'; readonly oneOf: readonly (infer O extends string)[] } ? O : ValueOfType<S['type']>)
  // `default: null` makes an argument optional: `none` stands for "not given".
  | ('default' extends keyof S ? (null extends S['default'] ? null : never) : never);

/**
 * The arguments an op's shape function receives, typed from its schema: every parameter is present
 * (the evaluator fills in the defaults), so `args.filters` is a number without a cast. For the
 * registry's wide `Params` this is `Args`.
 */
export type ArgsOf<P extends Params> = { readonly [K in keyof P]: ArgOf<P[K]> };

export interface WeightSpec {
  /** `weight`, `bias`, `running_mean`, ... : the node name is prefixed. */
  readonly name: string;
  readonly shape: Shape;
  /** Learnable parameters are trained; buffers (batch-norm statistics) are not. */
  readonly role: 'learnable' | 'buffer';
  readonly init: 'he' | 'glorot' | 'zeros' | 'ones' | 'uniform' | 'constant' | 'normal';
  /** 'constant': the fill value (PReLU's 0.25); 'normal': the standard deviation (ViT's 0.02). */
  readonly value?: number;
  /** 'constant' with one value per element (a normalization's given mean and variance). */
  readonly values?: readonly number[];
}

/** Where an op reports problems. `arg` names the argument whose text the diagnostic underlines. */
export interface OpContext {
  error(code: DiagnosticCode, message: string, options?: ReportOptions): undefined;
  warn(code: DiagnosticCode, message: string, options?: ReportOptions): void;
  /** Whether the user wrote this argument (as opposed to taking its default). */
  given(arg: string): boolean;
}

export interface ReportOptions {
  readonly arg?: string;
  readonly notes?: readonly string[];
  readonly hint?: string;
  /** Index of the input tensor this is about; adds a note on where it came from. */
  readonly input?: number;
  /** Explain how every input got its spatial size (for merges of tensors from different paths). */
  readonly trace?: boolean;
}

/** How an op moves a window over the height axis; drives the receptive-field report. */
export interface FieldStep {
  readonly kernel: number;
  readonly stride: number;
  readonly dilation: number;
}

/** What a symbolic shape rule sees besides its inputs' symbolic sizes. */
export interface SymbolicStep {
  readonly node: IrNode;
  /** The inputs' shapes at the defaults. */
  readonly base: readonly Shape[];
  /** Every earlier node's symbolic shape, by node id (for `size=[like.height, …]` references). */
  readonly shapes: readonly (readonly Size[])[];
  /** Records what the op requires of the variables (a window must fit, operands must match). */
  need(c: Constraint): void;
}

/**
 * The lowerings and the attribute functions are methods, so that a registry of ops with different
 * attribute types is a Record<string, OpDef> without casts (TypeScript checks method parameters
 * bivariantly); each op file still checks its own functions against its own attributes.
 */
export interface OpDef<A = unknown, P extends Params = Params> {
  /** The name used in the DSL and the registry key. */
  readonly kind: string;
  readonly summary: string;
  /** How many tensor inputs it takes. */
  readonly arity: { readonly min: number; readonly max: number };
  /** Arguments after the tensors, in positional order. */
  readonly params: P;
  /** Typed attributes and the output shape, or undefined after reporting through ctx. */
  infer(inputs: readonly Shape[], args: ArgsOf<P>, ctx: OpContext): Inferred<A> | undefined;
  /** Declared weights; parameters and buffers are counted from these. */
  weights?(attrs: A, inputs: readonly Shape[]): WeightSpec[];
  /** Multiply-accumulates per sample (conv, dense, matmul only: torchvision's convention). */
  macs?(attrs: A, inputs: readonly Shape[], output: Shape): number;
  /** A windowed op's step along the height axis; ops without one keep the field as it is. */
  field?(attrs: A, inputs: readonly Shape[]): FieldStep;
  /**
   * The output sizes as formulas in the size variables (compiler/symbolic), or undefined where the
   * op cannot follow them. Ops without one pass their one input's sizes through when the output has
   * its shape, and are otherwise probed by re-running `infer` at other sizes.
   */
  symbolic?(attrs: A, inputs: readonly (readonly Size[])[], step: SymbolicStep): Size[] | undefined;
  /** Which shape the MACs grow with when sizes vary (conv-like ops: the output; dense: its input). */
  readonly macsGrowWith?: 'output' | 'input';
  /**
   * The ONNX lowering: standard-domain nodes computing the op at inference (compiler/lower-onnx).
   * Required: the type checker refuses an op that cannot be exported.
   */
  onnx(ctx: Parameters<OnnxLowering<A>>[0]): ReturnType<OnnxLowering<A>>;
  /** The TensorFlow.js lowering: layers computing the op in NHWC (compiler/lower-tfjs/contract.ts). Required. */
  tfjs(attrs: A, kit: Parameters<TfjsLowering<A>>[1]): ReturnType<TfjsLowering<A>>;
  /** The PyTorch lowering: the nn.Module holding its weights and its forward expression. Required. */
  readonly pytorch: PytorchLowering<A>;
}

/** What a shape function returns: the op's typed attributes and its per-sample output shape. */
export interface Inferred<A> {
  readonly attrs: A;
  readonly shape: Shape;
}

/**
 * Types an op definition from its own literal: the arguments `infer` receives from the `params`
 * schema (a const type parameter keeps `'int'`, `oneOf` lists and `default: null` as written), and
 * the attributes every later function receives from what `infer` returns.
 */
export const defineOp = <A, const P extends Params>(def: OpDef<A, P>): OpDef<A, P> => def;
