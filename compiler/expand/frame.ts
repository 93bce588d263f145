// Frames and the call stack: what a model or block body evaluates in (its names, its node-name
// scope, the block calls that led to it), and how those call sites are shown in diagnostics.
import type { Span } from '../../dsl/source.js';
import type { RelatedSpan } from '../diagnostics.js';
import type { Module } from '../loader.js';
import type { Value } from '../values.js';

export interface CallSite {
  readonly span: Span;
  readonly block: string;
}

export interface Frame {
  readonly module: Module;
  readonly env: Map<string, Value>;
  /** The node-name prefix of this scope, e.g. `layer1.bottleneck2`. */
  readonly path: string;
  /** How many nodes (or block calls) of each base name this scope has made, for unique names. */
  readonly counters: Map<string, number>;
  /** Block call sites, innermost first. */
  readonly stack: readonly CallSite[];
  readonly frozen: boolean;
  readonly isModel: boolean;
  /** Unnamed layers and block calls here are named 0, 1, 2, ... in call order (nn.Sequential). */
  readonly numbered?: boolean;
  returned?: Value;
}

/** Where a model's inputs and outputs are collected while its body runs. */
export interface ModelIo {
  inputs: { name: string; node: number }[];
  outputs: { name: string; node: number }[];
}

export function modelFrame(module: Module): Frame {
  return { module, env: new Map(), path: '', counters: new Map(), stack: [], frozen: false, isModel: true };
}

/**
 * The frame a block body runs in, called from `caller` at `callSpan` under the scope name `scope`;
 * with no scope (name="", inline) its layers are named in the caller's scope, as if written there.
 */
export function blockFrame(caller: Frame, module: Module, env: Map<string, Value>, scope: string | undefined, block: string, callSpan: Span, numbered: boolean): Frame {
  return {
    module,
    env,
    path: scope === undefined ? caller.path : joinPath(caller.path, scope),
    counters: scope === undefined ? caller.counters : new Map(),
    stack: [{ span: callSpan, block }, ...caller.stack],
    frozen: caller.frozen,
    isModel: false,
    numbered: scope === undefined ? caller.numbered || numbered : numbered,
  };
}

/** The next name for `base` in this scope: `conv1`, `conv2`, ... (`0`, `1`, ... when numbered) or, for a user's name=, `stem`, `stem_2`. */
export function uniqueScope(frame: Frame, base: string, explicit: boolean): string {
  if (frame.numbered && !explicit) {
    const index = frame.counters.get('#') ?? 0; // '#' cannot clash with an op or block name
    frame.counters.set('#', index + 1);
    return String(index);
  }
  const n = (frame.counters.get(base) ?? 0) + 1;
  frame.counters.set(base, n);
  if (explicit) return n === 1 ? base : `${base}_${n}`;
  return `${base}${n}`;
}

export function joinPath(prefix: string, name: string): string {
  return prefix ? `${prefix}.${name}` : name;
}

/** The call sites, innermost first; a run of the same site (recursion) is shown once with a count. */
export function callNotes(stack: readonly CallSite[]): RelatedSpan[] {
  const out: RelatedSpan[] = [];
  for (let i = 0; i < stack.length; ) {
    const s = stack[i]!;
    let n = 1;
    while (i + n < stack.length && sameSpan(stack[i + n]!.span, s.span)) n++;
    out.push({ span: s.span, message: `in block '${s.block}', called here${n > 1 ? ` (${n} times, recursively)` : ''}` });
    i += n;
  }
  return out;
}

const sameSpan = (a: Span, b: Span): boolean => a.file === b.file && a.start.offset === b.start.offset && a.end.offset === b.end.offset;
