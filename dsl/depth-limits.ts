// Nesting limits: the parser and every later pass (resolve, evaluation, the formatter) recurse over
// the syntax tree, so a deeply nested file would overflow the JavaScript stack. Brackets are
// counted on the tokens before parsing (the recursive-descent parser spends ~7 KB of stack per
// parenthesis level); the tree's depth (long `+` or `|>` chains nest too) is measured after, with
// an explicit stack. Both limits are far above anything a person writes.
import type { IToken } from 'chevrotain';
import type * as A from './ast.js';
import type { Span } from './source.js';
import * as T from './tokens.js';

/** Brackets of any kind, `(`, `[` and `{`, open at once. */
export const MAX_BRACKETS = 100;
/** Levels of the syntax tree under one declaration. */
export const MAX_TREE_DEPTH = 400;

/** The first bracket that opens one level too many, as an offset; undefined when within the limit. */
export function bracketTooDeep(tokens: readonly IToken[]): IToken | undefined {
  let depth = 0;
  for (const t of tokens) {
    const type = t.tokenType;
    if (type === T.LParen || type === T.LBracket || type === T.LBrace) {
      if (++depth > MAX_BRACKETS) return t;
    } else if (type === T.RParen || type === T.RBracket || type === T.RBrace) depth = Math.max(0, depth - 1);
  }
  return undefined;
}

/** The span of the first node deeper than MAX_TREE_DEPTH under `decl`, found without recursion. */
export function tooDeep(decl: A.Decl): Span | undefined {
  const stack: [unknown, number][] = [[decl, 0]];
  while (stack.length > 0) {
    const [value, depth] = stack.pop()!;
    if (Array.isArray(value)) {
      for (const item of value) stack.push([item, depth]);
      continue;
    }
    if (typeof value !== 'object' || value === null || !('kind' in value)) continue;
    if (depth > MAX_TREE_DEPTH) return (value as unknown as { span: Span }).span;
    for (const [key, child] of Object.entries(value)) if (key !== 'span' && typeof child === 'object') stack.push([child, depth + 1]);
  }
  return undefined;
}
