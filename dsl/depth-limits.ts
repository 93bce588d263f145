// Nesting limits: the parser and every later pass (resolve, evaluation, the formatter) recurse over
// the syntax tree, so a deeply nested file would overflow the JavaScript stack. Brackets are
// counted on the tokens before parsing; the tree's depth (long `+` or `|>` chains nest too) is
// measured after, with an explicit stack. Both limits are far above anything a person writes, and
// every pass fits them on V8's default ~1 MB stack (a browser's) with room to spare: the direct
// parser spends 2-5 frames a level, and the evaluator and formatter loop where they can
// (tests/unit/nesting-limits.test.ts).
import type { IToken } from 'chevrotain';
import type * as A from './ast.js';
import type { SourceFile, Span } from './source.js';
import * as T from './tokens.js';

/**
 * Runs a whole job (parsing, formatting) on a thread with a larger stack and returns its result;
 * undefined when that thread fails. Node registers one (large-stack.ts); browsers have none.
 */
export type LargeStackRunner = (job: 'parse' | 'format', source: SourceFile) => unknown;
let runner: LargeStackRunner | undefined;

export function setLargeStackRunner(run: LargeStackRunner): void {
  runner = run;
}

export function largeStackRunner(): LargeStackRunner | undefined {
  return runner;
}

/** Brackets of any kind, `(`, `[` and `{`, open at once, and prefix operators in a row. */
export const MAX_BRACKETS = 2_000;
/**
 * How deeply nested a file with a syntax error may be for chevrotain (grammar.ts) to report its
 * errors on V8's default ~1 MB stack: it spends ~50 frames (~6 KB) per parenthesis. Valid files are
 * read by the direct parser (direct-parser.ts) at any depth up to MAX_BRACKETS; past this depth a
 * file with an error is read by chevrotain on a larger stack where the host offers one (Node), and
 * otherwise gets the direct parser's first error alone.
 */
export const MAX_BRACKETS_FOR_ERROR_RECOVERY = 100;
/**
 * Past this bracket depth the parser does not recover from a syntax error to report more: its
 * recovery computes follow sets over the whole rule stack at every token it skips, which grows
 * with the square of the depth (100 nested `if`s with one error: 2.5 s; 800: 72 s).
 */
export const MAX_RECOVERY_DEPTH = 32;
/** Levels of the syntax tree under one declaration: over 1,000 of any construct with room around it. */
export const MAX_TREE_DEPTH = 1_100;

/**
 * Visits each token with how deeply the parser recurses there: brackets open plus, with
 * `countPrefixes`, the run of prefix operators (`- - - 1` recurses once per sign, at a tenth of a
 * bracket's stack) before it; stops when `visit` returns false. A plain loop: it runs on every parse.
 */
function scan(tokens: readonly IToken[], countPrefixes: boolean, visit: (t: IToken, level: number) => boolean): void {
  let depth = 0;
  let prefixes = 0;
  for (const t of tokens) {
    const type = t.tokenType;
    if (type === T.Minus || type === T.Not) prefixes++;
    else prefixes = 0;
    if (type === T.LParen || type === T.LBracket || type === T.LBrace) depth++;
    else if (type === T.RParen || type === T.RBracket || type === T.RBrace) depth = Math.max(0, depth - 1);
    if (!visit(t, countPrefixes ? depth + prefixes : depth)) return;
  }
}

/** The first token nested one level more than `limit`; undefined when within it. */
export function nestedTooDeep(tokens: readonly IToken[], limit: number, countPrefixes = true): IToken | undefined {
  let found: IToken | undefined;
  scan(tokens, countPrefixes, (t, level) => {
    if (level > limit) found = t;
    return found === undefined;
  });
  return found;
}

/** How deeply brackets nest at most. */
export function bracketDepth(tokens: readonly IToken[]): number {
  let most = 0;
  scan(tokens, false, (_, level) => {
    most = Math.max(most, level);
    return true;
  });
  return most;
}

/** The first of the most deeply nested tokens. */
export function deepestToken(tokens: readonly IToken[]): IToken | undefined {
  let best = -1;
  let at: IToken | undefined;
  scan(tokens, true, (t, level) => {
    if (level > best) [best, at] = [level, t];
    return true;
  });
  return at;
}

/**
 * The span of the first node nested deeper than MAX_TREE_DEPTH under `decl`, found without
 * recursion. Expressions and the statements that hold a body (`for`, `frozen`) count a level; the
 * statement that merely holds an expression does not, so `n` nested `if`s are `n` levels.
 */
export function tooDeep(decl: A.Decl): Span | undefined {
  let found: Span | undefined;
  walkLevels([decl], (span, level) => {
    if (level > MAX_TREE_DEPTH) found = span;
    return found === undefined;
  });
  return found;
}

/** The span of the first of the most deeply nested nodes. */
export function deepestNode(decls: readonly A.Decl[]): Span | undefined {
  let best = -1;
  let found: Span | undefined;
  walkLevels(decls, (span, level) => {
    if (level > best) [best, found] = [level, span];
    return true;
  });
  return found;
}

/** The syntax tree's keys that hold spans (positions), not nodes. */
const SPANS = new Set(['span', 'nameSpan', 'opSpan', 'pathSpan', 'propertySpan', 'variableSpan']);

/** Visits every node with its level, without recursion, until `visit` returns false. */
function walkLevels(roots: readonly A.Decl[], visit: (span: Span, level: number) => boolean): void {
  const stack: [unknown, number][] = roots.map((d) => [d, 0]);
  while (stack.length > 0) {
    const [value, depth] = stack.pop()!;
    if (typeof value !== 'object' || value === null) continue;
    const kind = (value as { kind?: string }).kind;
    const level = kind === undefined || kind === 'expr' || kind === 'assign' ? depth : depth + 1;
    if (kind !== undefined && !visit((value as { span: Span }).span, level)) return;
    // Arrays, call arguments and parameters are not levels of their own; spans hold no nodes.
    if (Array.isArray(value)) {
      for (const child of value) if (typeof child === 'object') stack.push([child, level]);
      continue;
    }
    for (const key in value) {
      const child = (value as Record<string, unknown>)[key];
      if (typeof child === 'object' && child !== null && !SPANS.has(key)) stack.push([child, level]);
    }
  }
}
