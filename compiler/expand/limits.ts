// The hard limits of an expansion: they turn a typo in a loop bound or a runaway recursion into one
// clear error instead of a hang or an out-of-memory crash.
import type * as A from '../../dsl/ast.js';
import type { Span } from '../../dsl/source.js';
import { elementCount, formatShape, type Shape } from '../ir.js';
import { recursionCycle, type Frame } from './frame.js';
import type { Expansion } from './state.js';

export const LIMITS = {
  /** Nested block calls, recursion included. */
  depth: 64,
  /** Iterations of one `for`. */
  loop: 10_000,
  /** Nodes in one graph. */
  nodes: 200_000,
  /**
   * Expressions evaluated in one expansion: bounds the total work where the depth and loop limits
   * bound only each part (a block calling itself twice, loops inside loops). ResNet-50 takes
   * about 5,000; the largest zoo model well under 100,000.
   */
  steps: 10_000_000,
  /** Items of one list, characters of one string (a list doubled 30 times is a billion items). */
  items: 1_000_000,
  /** Largest dimension, and largest per-sample element count. */
  dim: 2 ** 31 - 1,
  elements: 2 ** 42,
};

export const grouped = (n: number): string => n.toLocaleString('en-US');

/** False (after reporting) when a `for` over a range would run more than LIMITS.loop times. */
export function loopWithinLimit(x: Expansion, count: number, from: A.Expr, to: A.Expr, frame: Frame): boolean {
  if (count <= LIMITS.loop) return true;
  const range = { ...from.span, end: to.span.end };
  x.report('E0602', `this loop would run ${grouped(count)} times; the limit is ${grouped(LIMITS.loop)}`, range, frame, {
    hint: 'a network with that many repeated layers is almost certainly a typo in the bounds',
  });
  return false;
}

/** Aborts the expansion when a block call would nest deeper than LIMITS.depth. */
export function checkDepth(x: Expansion, decl: A.BlockDecl, callSpan: Span, frame: Frame): void {
  if (x.depth < LIMITS.depth) return;
  const cycle = recursionCycle(frame.stack, decl.name);
  const names = cycle.map((b) => `'${b}'`);
  const why = cycle.length === 0 ? '' : cycle.length === 1 ? `: ${names[0]} keeps calling itself` : `: ${names.slice(0, -1).join(', ')} and ${names.at(-1)} keep calling each other`;
  x.report('E0601', `block expansion is deeper than ${LIMITS.depth} levels${why}`, callSpan, frame, {
    hint: cycle.length > 0 ? `make sure the recursion ${cycle.length === 1 ? `in ${names[0]}` : `between ${names.join(', ')}`} reaches a case that stops` : undefined,
  });
  x.abort();
}

/**
 * Called once, when an expansion first reaches LARGE_EXPANSION nodes. The command line runs its
 * short commands without V8's optimizing compiler (bin/archc.js: it costs more than it saves on a
 * zoo model) and turns it back on here, where a small file turns out to expand into a big graph
 * (846 resnet50s in 34 KB: 2.2 s of expansion with it, 3.2 s without).
 */
export const expansionHooks: { onLarge?: () => void } = {};
export const LARGE_EXPANSION = 20_000;

/**
 * False (after reporting) when one more node cannot be added: the graph is full (this aborts the
 * expansion) or the node's shape is too large to represent.
 */
export function nodeWithinLimits(x: Expansion, op: string, shape: Shape, span: Span, frame: Frame): boolean {
  if (x.nodes.length === LARGE_EXPANSION && expansionHooks.onLarge) {
    const onLarge = expansionHooks.onLarge;
    expansionHooks.onLarge = undefined;
    onLarge();
  }
  const limit = Math.min(x.options.maxNodes ?? LIMITS.nodes, LIMITS.nodes);
  if (x.nodes.length >= limit) {
    x.report('E0603', `the graph has more than ${limit} nodes`, span, frame, { hint: 'check loop bounds and repeat counts' });
    x.abort();
  }
  const big = shape.findIndex((d) => d > LIMITS.dim || !Number.isSafeInteger(d));
  if (big >= 0 || elementCount(shape) > LIMITS.elements) {
    const note =
      big >= 0
        ? `${grouped(shape[big]!)} is more than the largest dimension archc allows, ${grouped(LIMITS.dim)} (2^31 − 1)`
        : `${grouped(elementCount(shape))} elements per sample; the limit is ${grouped(LIMITS.elements)} (2^42)`;
    x.report('E0604', `${op} output ${formatShape(shape)} is too large to represent`, span, frame, { notes: [note] });
    return false;
  }
  return true;
}

/** Counts one evaluation step; aborts with E0607 at `span` when the expansion's budget is spent. */
export function step(x: Expansion, span: Span, frame: Frame): void {
  if (++x.steps <= LIMITS.steps) return;
  const inside = frame.stack[0]?.block;
  x.report('E0607', `the expansion needs more than ${grouped(LIMITS.steps)} evaluation steps${inside ? `; it was inside '${inside}'` : ''}`, span, frame, {
    hint: 'a block that calls itself more than once per call, or loops inside loops, grows exponentially or multiplies: check the recursion and the bounds',
  });
  x.abort();
}

/** False (after reporting) when a list or string of `size` items would be larger than LIMITS.items. */
export function sizeWithinLimit(x: Expansion, what: 'list' | 'string', size: number, span: Span, frame: Frame): boolean {
  if (size <= LIMITS.items) return true;
  x.report('E0607', `this ${what} would hold ${grouped(size)} ${what === 'list' ? 'items' : 'characters'}; the limit is ${grouped(LIMITS.items)}`, span, frame);
  return false;
}
