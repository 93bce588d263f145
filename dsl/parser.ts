// Parsing one file: text → typed AST plus syntax diagnostics, with the nesting limits of
// depth-limits.ts. Two parsers build the same tree: direct-parser.ts, hand-written and light on the
// stack, reads every file; the chevrotain grammar (grammar.ts, grammar-expressions.ts, its messages
// in parse-messages.ts) reads again a file with a syntax error, because its recovery reports every
// error it can, and its errors become located diagnostics. Callers stop after parsing when there
// are any. tests/unit/direct-parser.test.ts checks that both agree.
import type { IToken } from 'chevrotain';
import * as T from './tokens.js';
import { bracketDepth, deepestToken, largeStackRunner, MAX_RECOVERY_DEPTH, nestedTooDeep, MAX_BRACKETS, MAX_BRACKETS_FOR_ERROR_RECOVERY, MAX_TREE_DEPTH, tooDeep } from './depth-limits.js';
import type * as A from './ast.js';
import { SourceFile, type Span } from './source.js';
import { ArchParser } from './grammar.js';
import { parseDirect, type DirectParseError } from './direct-parser.js';

/** A syntax error as chevrotain or the direct parser reports it. */
type ReportedError = Pick<DirectParseError, 'message' | 'token' | 'previousToken'> & { readonly name: string };

export interface SyntaxError {
  readonly code: 'E0101' | 'E0102' | 'E0104';
  readonly message: string;
  readonly span: Span;
}

let shared: ArchParser | undefined;
/** For deeply nested files: stops at the first syntax error (MAX_RECOVERY_DEPTH says why). */
let sharedWithoutRecovery: ArchParser | undefined;

/** Builds the parser with chevrotain's grammar checks on; throws if the grammar is ambiguous. */
export function validateGrammar(): void {
  new ArchParser(false);
}

export interface ParseResult {
  readonly file: A.ArchFile;
  readonly errors: SyntaxError[];
}

const emptyFile = (source: SourceFile): A.ArchFile => ({ path: source.path, uses: [], allows: [], decls: [], comments: [], items: [] });

/** Whether `source` nests brackets past what chevrotain reports errors in on V8's default stack (100 levels). */
export function nestedPastDefaultStack(source: SourceFile): boolean {
  return nestedTooDeep(T.lexer.tokenize(source.text).tokens, MAX_BRACKETS_FOR_ERROR_RECOVERY, false) !== undefined;
}

/**
 * Parses one file. Never throws for bad input: syntax problems come back as errors. The direct parser
 * reads it; a file with a syntax error is read again by chevrotain, which recovers to report every
 * error, on a larger stack where the host offers one when it is nested too deeply for the default
 * stack (`onLargeStack` says this call already runs there).
 */
export function parse(source: SourceFile, options: { onLargeStack?: boolean } = {}): ParseResult {
  const lexed = T.lexer.tokenize(source.text);
  const errors: SyntaxError[] = lexed.errors.map((e) => ({
    code: 'E0101',
    message: `unexpected character '${source.text.slice(e.offset, e.offset + e.length).slice(0, 1)}'`,
    span: source.span(e.offset, e.offset + Math.max(1, Math.min(e.length, 1))),
  }));
  const run = options.onLargeStack ? undefined : largeStackRunner();
  const largeStack = run && ((s: SourceFile) => run('parse', s) as ParseResult | undefined);
  const tooDeepAt = (token: IToken | undefined, what: string): ParseResult => {
    const at = token ? token.startOffset : 0;
    const message = `${what}; archc stops reading the file`;
    return { file: emptyFile(source), errors: [...errors, { code: 'E0104', message, span: source.span(at, at + 1) }] };
  };
  const beyond = (limit: number, what: string) => `${what} nested deeper than ${limit.toLocaleString('en-US')} levels here`;
  const overLimit = nestedTooDeep(lexed.tokens, MAX_BRACKETS);
  if (overLimit) return tooDeepAt(overLimit, beyond(MAX_BRACKETS, 'brackets or prefix operators are'));
  const unread = 'the code here is nested too deeply for archc to read';
  let parsed: ReturnType<ArchParser['file']>;
  let reported: readonly ReportedError[] = [];
  try {
    const direct = parseDirect(source, lexed.tokens);
    if ('items' in direct) parsed = direct.items;
    else {
      // A syntax error: chevrotain reports it, and every later one, where its stack allows.
      const deep = nestedTooDeep(lexed.tokens, MAX_BRACKETS_FOR_ERROR_RECOVERY, false);
      if (deep && largeStack) return largeStack(source) ?? tooDeepAt(deepestToken(lexed.tokens), `${unread} (the thread that reads deeply nested files did not start)`);
      if (deep && !options.onLargeStack) [parsed, reported] = [[], [direct.error]];
      else {
        const parser = bracketDepth(lexed.tokens) > MAX_RECOVERY_DEPTH ? (sharedWithoutRecovery ??= new ArchParser(true, false)) : (shared ??= new ArchParser());
        parser.source = source;
        parser.input = lexed.tokens;
        try {
          parsed = parser.file();
        } finally {
          reported = parser.errors;
          parser.input = [];
        }
      }
    }
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    return largeStack?.(source) ?? tooDeepAt(deepestToken(lexed.tokens), unread);
  }
  const items = (parsed ?? []).filter(Boolean).filter((item) => {
    if (item.kind !== 'model' && item.kind !== 'block') return true;
    const deep = tooDeep(item);
    if (deep) errors.push({ code: 'E0104', message: `the code here is nested deeper than ${MAX_TREE_DEPTH.toLocaleString('en-US')} levels (expressions, ifs, loops, or a long chain of operators or stages); '${item.name}' is left out`, span: deep });
    return !deep;
  });
  for (const e of reported) {
    const t = e.token;
    const prev = (e as { previousToken?: IToken }).previousToken;
    // A token missing at the end of a line is reported there, not at the next line's first token.
    const missingAtEol =
      e.name === 'MismatchedTokenException' && prev && Number.isFinite(prev.endOffset) && Number.isFinite(t.startOffset) && (t.startLine ?? 0) > (prev.endLine ?? 0);
    if (missingAtEol) {
      const at = prev.endOffset! + 1;
      errors.push({ code: 'E0102', message: e.message, span: source.span(at, at) });
      continue;
    }
    const offset = Number.isFinite(t.startOffset) ? t.startOffset : previousOffset(prev, source);
    const end = Number.isFinite(t.endOffset) ? t.endOffset! + 1 : offset + 1;
    errors.push({ code: 'E0102', message: e.message, span: source.span(offset, Math.min(end, source.text.length)) });
  }
  const comments: A.Comment[] = (lexed.groups['comments'] ?? []).map((t) => ({
    text: t.image,
    span: source.span(t.startOffset, t.endOffset! + 1),
  }));
  const uses = items.filter((i): i is A.UseDecl => i.kind === 'use');
  const allows = items.filter((i): i is A.AllowDecl => i.kind === 'allow');
  const decls = items.filter((i): i is A.Decl => i.kind === 'model' || i.kind === 'block');
  return { file: { path: source.path, uses, allows, decls, comments, items }, errors };
}

function previousOffset(prev: IToken | undefined, source: SourceFile): number {
  if (prev && Number.isFinite(prev.endOffset)) return prev.endOffset! + 1;
  return source.text.length;
}
