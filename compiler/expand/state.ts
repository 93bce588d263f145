// The state of one expansion: the nodes made so far, the diagnostics, the deferred model `expect`s,
// the recursion depth and whether a hard limit stopped it. Every part of the evaluator (expressions,
// statements, calls, binder, graph) takes this object as its first argument.
import type * as A from '../../dsl/ast.js';
import type { Span } from '../../dsl/source.js';
import { diagnostic, type Diagnostic, type DiagnosticCode, type RelatedSpan } from '../diagnostics.js';
import type { IrGraph, IrNode } from '../ir.js';
import { callNotes, type Frame } from './frame.js';
import type { SizeVariable } from '../symbolic/shapes.js';

export interface ExpandOptions {
  /** Overrides of model parameters, e.g. { classes: 10 }. */
  readonly params?: Readonly<Record<string, number | string | boolean>>;
  /** Overrides of input shapes (per-sample), by input name. */
  readonly inputs?: Readonly<Record<string, readonly number[]>>;
  /**
   * Stop (E0603) past this many nodes instead of LIMITS.nodes: archc import compiles candidate calls
   * that must make a known number of nodes, and a larger one is wrong already.
   */
  readonly maxNodes?: number;
}

/** A model-level `expect`, checked once the counters (params, MACs, ...) are known. */
export interface DeferredExpect {
  readonly stmt: A.ExpectStmt;
  readonly evaluate: (counters: Readonly<Record<string, number>>) => Diagnostic | undefined;
}

export interface ExpandResult {
  readonly graph?: IrGraph;
  readonly diagnostics: Diagnostic[];
  readonly expects: DeferredExpect[];
  /** The blocks the model called (the others can be checked on their own: block-check.ts). */
  readonly called: ReadonlySet<A.BlockDecl>;
}

/** Thrown by `abort` to unwind the whole expansion after a hard limit (see limits.ts). */
export class Stop extends Error {}

export class Expansion {
  readonly nodes: IrNode[] = [];
  readonly diagnostics: Diagnostic[] = [];
  readonly expects: DeferredExpect[] = [];
  /** Size variables named by the model's inputs (`input image: [3, H, W] = [3, 224, 224]`). */
  readonly sizes: SizeVariable[] = [];
  /** Node names in use, to keep them unique. */
  readonly names = new Set<string>();
  /** Blocks called so far. */
  readonly called = new Set<A.BlockDecl>();
  /** Block calls currently open. */
  depth = 0;
  aborted = false;
  /** Expressions evaluated so far (LIMITS.steps bounds the total work). */
  steps = 0;
  /** Unknown names given a "did you mean" so far: each scans every name in scope, so only a few get one. */
  suggestions = 0;

  constructor(readonly options: ExpandOptions) {}

  /** Records a diagnostic; the block call sites of `frame` become related notes. */
  report(code: DiagnosticCode, message: string, span: Span, frame: Frame | undefined, extra: Partial<Omit<Diagnostic, 'code'>> = {}): void {
    const related: RelatedSpan[] = [...(extra.related ?? []), ...callNotes(frame?.stack ?? [])];
    this.diagnostics.push(diagnostic(code, message, span, { related, notes: extra.notes, hint: extra.hint }));
  }

  /** Stops the whole expansion (a hard limit was hit); the model's runner catches `Stop`. */
  abort(): never {
    this.aborted = true;
    throw new Stop();
  }

  /** Whether the user changed the model with --set or --input (annotations then only warn). */
  get overridden(): boolean {
    return Object.keys(this.options.params ?? {}).length + Object.keys(this.options.inputs ?? {}).length > 0;
  }
}
