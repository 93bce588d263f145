// Frames and the call stack: what a model or block body evaluates in (its names, its node-name
// scope, the block calls that led to it), and how those call sites are shown in diagnostics.
import type { Span } from '../../dsl/source.js';
import type { RelatedSpan } from '../diagnostics.js';
import type { Module } from '../loader.js';
import type { Value } from '../values.js';
import type { BlockCall } from '../ir.js';

export interface CallSite {
  readonly span: Span;
  readonly block: string;
  /** What IR nodes record of this call (BlockCall in ir.ts). */
  readonly call: BlockCall;
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
  /** Warning codes silenced by `allow=` on this block call or one that encloses it. */
  readonly allow: ReadonlySet<string>;
  returned?: Value;
}

/** Where a model's inputs and outputs are collected while its body runs. */
export interface ModelIo {
  inputs: { name: string; node: number }[];
  outputs: { name: string; node: number }[];
}

export function modelFrame(module: Module): Frame {
  return { module, env: new Map(), path: '', counters: new Map(), stack: [], frozen: false, isModel: true, allow: new Set() };
}

/**
 * The frame a block body runs in, called from `caller` at `callSpan` under the scope name `scope`;
 * with no scope (name="", inline) its layers are named in the caller's scope, as if written there.
 */
export function blockFrame(caller: Frame, module: Module, env: Map<string, Value>, scope: string | undefined, block: string, callSpan: Span, numbered: boolean, allow: readonly string[]): Frame {
  const call: BlockCall = { block, path: scope === undefined ? undefined : joinPath(caller.path, scope), args: {} };
  return {
    allow: allow.length ? new Set([...caller.allow, ...allow]) : caller.allow,
    module,
    env,
    path: scope === undefined ? caller.path : joinPath(caller.path, scope),
    counters: scope === undefined ? caller.counters : new Map(),
    stack: [{ span: callSpan, block, call }, ...caller.stack],
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

/**
 * The call sites, innermost first. Recursion is summarized: a run of the same site is shown once
 * with a count, and a cycle of blocks calling each other (ping → pong → ping ...) once per cycle,
 * so that a runaway recursion prints a few notes, not one per level.
 */
export function callNotes(stack: readonly CallSite[]): RelatedSpan[] {
  const out: RelatedSpan[] = [];
  for (let i = 0; i < stack.length; ) {
    const s = stack[i]!;
    const { period, repeats } = longestCycle(stack, i);
    if (period > 1) {
      const blocks = stack.slice(i, i + period).map((c) => `'${c.block}'`).reverse();
      const cycle = [...blocks, blocks[0]].join(' → ');
      out.push({ span: s.span, message: `in blocks ${cycle}, called here (a cycle of ${period} calls, ${repeats} times, recursively)`, callSite: true });
    } else {
      out.push({ span: s.span, message: `in block '${s.block}', called here${repeats > 1 ? ` (${repeats} times, recursively)` : ''}`, callSite: true });
    }
    i += period * repeats;
  }
  return out;
}

/** Cycles longer than this are shown call by call. */
const MAX_CYCLE = 8;

/** The repeating run of call sites starting at `i` that covers the most of the stack (period 1: the same site). */
function longestCycle(stack: readonly CallSite[], i: number): { period: number; repeats: number } {
  let best = { period: 1, repeats: 1 };
  for (let p = 1; p <= MAX_CYCLE && i + 2 * p <= stack.length; p++) {
    let k = p;
    while (i + k < stack.length && sameSpan(stack[i + k]!.span, stack[i + (k % p)]!.span)) k++;
    const repeats = Math.floor(k / p);
    if (repeats >= 2 && repeats * p > best.period * best.repeats) best = { period: p, repeats };
  }
  return best;
}

/** The blocks of the recursion that a call of `block` closes, innermost first; empty when it is no recursion. */
export function recursionCycle(stack: readonly CallSite[], block: string): string[] {
  const j = stack.findIndex((c) => c.block === block);
  if (j < 0) return [];
  return [...new Set(stack.slice(0, j + 1).map((c) => c.block))];
}

const sameSpan = (a: Span, b: Span): boolean => a.file === b.file && a.start.offset === b.start.offset && a.end.offset === b.end.offset;
