// The formatter: canonical .arch text from the AST. 2-space indent, 100 columns; a statement that does
// not fit breaks its pipeline one `|>` per line; numbers print as written; comments are kept (see
// format-comments.ts). Idempotent: formatting formatted text changes nothing.
import type * as A from './ast.js';
import { nestedPastDefaultStack, parse, type SyntaxError } from './parser.js';
import { SourceFile } from './source.js';
import { deepestNode, largeStackRunner } from './depth-limits.js';
import { INDENT, writeLines, type Line } from './format-comments.js';
import { TokenIndex } from './format-tokens.js';
import { FlatOut, quote, render, renderParam, simple, stages, writeParts, type Out, type Part } from './format-expr.js';

export const WIDTH = 100;
/** Extra indent of a broken pipeline's `|>` lines. */
const CONTINUATION = 4;

export interface FormatResult {
  /** The canonical text; absent when the file has syntax errors (nothing is formatted then). */
  readonly text?: string;
  readonly errors: readonly SyntaxError[];
}

/** `onLargeStack`: this call runs on a thread with a larger stack (depth-limits.ts). */
export function format(source: SourceFile, options: { onLargeStack?: boolean } = {}): FormatResult {
  // The layout recurses four frames per nested `if` and fits the nesting limits on V8's default
  // stack; for margin, Node lays out files nested past 100 brackets on a larger one.
  const run = options.onLargeStack ? undefined : largeStackRunner();
  const formatted = run && nestedPastDefaultStack(source) ? (run('format', source) as FormatResult | undefined) : undefined;
  if (formatted) return formatted;
  const parsed = parse(source, options);
  if (parsed.errors.length) return { errors: parsed.errors };
  const tokens = new TokenIndex(source.text);
  const layout = new Layout(tokens);
  try {
    layout.file(parsed.file);
  } catch (e) {
    // A stack smaller than the limits assume (a caller deep in its own frames): an error, not a crash.
    if (!(e instanceof RangeError)) throw e;
    const span = deepestNode(parsed.file.decls) ?? source.span(0, 0);
    return { errors: [{ code: 'E0104', message: 'the code here is nested too deeply for archc to format', span }] };
  }
  return { text: writeLines(layout.lines, tokens.comments, source.text), errors: [] };
}

export function formatText(text: string, path = '<input>'): FormatResult {
  return format(new SourceFile(path, text));
}

// ---------- the layout: lines with their source ranges

class Layout implements Out {
  readonly lines: Line[] = [];
  private cur: Line | undefined;
  /** expand: every `if` on several lines, long lists wrapped. */
  private mode: 'auto' | 'expand' = 'auto';

  constructor(private readonly tokens: TokenIndex) {}

  file(f: A.ArchFile): void {
    f.items.forEach((item, k) => {
      // `use` and `allow` lines group together; a blank line separates them from declarations.
      const header = (i: A.ArchFile['items'][number]) => i.kind === 'use' || i.kind === 'allow';
      const force = k > 0 && (!header(item) || !header(f.items[k - 1]!));
      if (item.kind === 'use' || item.kind === 'allow') {
        this.begin(0, item.span.start.offset, 'unit', force);
        this.write(item.kind === 'use' ? `use ${quote(item.path)}` : `allow ${item.codes.map((c) => c.code).join(', ')}`);
        this.reach(item.span.end.offset);
        this.end();
      } else this.decl(item, force);
    });
  }

  private decl(d: A.Decl, force: boolean): void {
    this.begin(0, d.span.start.offset, 'unit', force);
    const head = `${d.kind} ${d.name}`;
    const params = (out: Out) => out.list('(', d.params, ')', (p, o) => renderParam(p, o), (p) => p.span.start.offset);
    const flat = FlatOut.of(this.tokens, params);
    this.write(head);
    if (d.params.length || d.kind === 'block') {
      this.withMode(flat !== undefined && head.length + flat.length + 2 <= WIDTH ? 'auto' : 'expand', () => params(this));
    }
    const close = this.tokens.at(d.span.end.offset - 1);
    this.braces(d.body, this.tokens.match(close), 0);
    this.end();
  }

  /** Nested `if`s recurse through here: the rare cases and the planning are apart, to keep this frame small. */
  private statement(s: A.Stmt, indent: number): void {
    if (s.kind === 'for' || s.kind === 'frozen') return this.statementWithBody(s, indent);
    const { parts, main } = simple(s)!;
    const layout = this.plan(parts, main, indent);
    this.begin(indent, s.span.start.offset, 'unit');
    if (typeof layout === 'string') this.write(layout);
    else if (layout) this.pipeline(parts, main!, layout, indent);
    else {
      const saved = this.mode;
      this.mode = 'expand';
      for (let i = 0; i < parts.length; i++) {
        const p = parts[i]!;
        if (typeof p === 'string') this.write(p);
        else render(p, 0, this);
      }
      this.mode = saved;
    }
    this.reach(s.span.end.offset);
    this.end();
  }

  /** A statement on one line (its text), broken one `|>` per line (its stages), or expanded (undefined). */
  private plan(parts: Part[], main: number | undefined, indent: number): string | A.Expr[] | undefined {
    const flat = FlatOut.of(this.tokens, (out) => writeParts(parts, out));
    const pipe = main === undefined ? undefined : (parts[main] as A.Expr);
    const steps = pipe ? stages(pipe) : [];
    const forced = steps.length > 1 && this.tokens.commentIn(pipe!.span.start.offset + 1, steps.at(-1)!.span.start.offset);
    if (flat !== undefined && indent + flat.length <= WIDTH && !forced) return flat;
    return steps.length > 1 ? steps : undefined;
  }

  private statementWithBody(s: A.ForStmt | A.FrozenStmt, indent: number): void {
    this.begin(indent, s.span.start.offset, 'unit');
    let headEnd = s.span.start.offset + 1;
    if (s.kind === 'for') {
      const range = (out: Out) => {
        out.write(`for ${s.variable} in `);
        render(s.from, 0, out);
        if (!s.to) return;
        out.write('..');
        render(s.to, 0, out);
      };
      // A header past the margin (a long list of configurations) wraps its lists.
      const flat = FlatOut.of(this.tokens, range);
      this.withMode(flat !== undefined && indent + flat.length + 2 <= WIDTH ? 'auto' : 'expand', () => range(this));
      headEnd = (s.to ?? s.from).span.end.offset;
    } else this.write('frozen');
    this.braces(s.body, this.tokens.braceAfter(headEnd), indent);
    this.end();
  }

  /** One `|>` per line; each stage on one line when it fits, else expanded. */
  private pipeline(parts: Part[], main: number, steps: A.Expr[], indent: number): void {
    writeParts(parts.slice(0, main), this);
    const suffix = parts.slice(main + 1);
    const suffixWidth = FlatOut.of(this.tokens, (out) => writeParts(suffix, out))?.length ?? 0;
    steps.forEach((step, k) => {
      if (k > 0) {
        this.end();
        this.begin(indent + CONTINUATION, this.tokens.pipeBefore(step.span.start.offset), 'cont');
        this.write('|> ');
      }
      const flat = FlatOut.of(this.tokens, (out) => render(step, 1, out));
      const fits = flat !== undefined && this.column() + flat.length <= WIDTH;
      this.withMode(fits ? 'auto' : 'expand', () => render(step, 1, this));
    });
    // An annotation that does not fit after the last stage gets a continuation line of its own.
    const annotation = suffix[0] === ' : ' ? (suffix[1] as A.Expr) : undefined;
    if (annotation && this.column() + suffixWidth > WIDTH) {
      this.end();
      this.begin(indent + CONTINUATION, this.tokens.startBefore(annotation.span.start.offset), 'cont');
      this.write(': ');
      return render(annotation, 0, this);
    }
    writeParts(suffix, this);
  }

  /** ` { body }` — `{}` when empty; the closing `}` is left on the current line. */
  private braces(body: readonly A.Stmt[], open: number, indent: number): void {
    const close = this.tokens.match(open);
    if (body.length === 0 && !this.tokens.commentIn(this.tokens.start(open), this.tokens.start(close))) {
      this.write(' {}');
      this.reach(this.tokens.end(close));
      return;
    }
    this.write(' {');
    this.reach(this.tokens.end(open));
    this.end();
    for (let i = 0; i < body.length; i++) this.statement(body[i]!, indent + INDENT);
    this.begin(indent, this.tokens.start(close), 'close');
    this.write('}');
    this.reach(this.tokens.end(close));
  }

  // ---------- Out

  write(text: string): void {
    this.cur!.text += text;
  }

  done(e: A.Expr): void {
    this.reach(e.span.end.offset);
  }

  ifExpr(e: A.IfExpr): void {
    const flat = this.mode === 'auto' ? FlatOut.of(this.tokens, (out) => out.ifExpr(e)) : undefined;
    if (flat !== undefined) return this.write(flat);
    const indent = this.cur!.indent;
    this.write('if ');
    render(e.condition, 0, this);
    const open = this.tokens.braceAfter(e.condition.span.end.offset);
    this.braces(e.then, open, indent);
    if (!e.else) return;
    const elseToken = this.tokens.match(open) + 1;
    this.write(' else');
    this.reach(this.tokens.end(elseToken));
    if (this.tokens.isIf(elseToken + 1)) {
      this.write(' ');
      this.withMode('expand', () => this.ifExpr((e.else![0] as A.ExprStmt).expr as A.IfExpr));
    } else this.braces(e.else, elseToken + 1, indent);
  }

  /** A pipeline inside a longer expression: in expand mode, one `|>` per line if it does not fit. */
  pipe(e: A.PipeExpr): void {
    const flat = FlatOut.of(this.tokens, (o) => o.pipe(e));
    if (this.mode === 'auto' || (flat !== undefined && this.column() + flat.length <= WIDTH)) {
      render(e.lhs, 0, this);
      this.write(' |> ');
      return render(e.rhs, 1, this);
    }
    const indent = this.cur!.indent + CONTINUATION;
    stages(e).forEach((step, k) => {
      if (k > 0) {
        this.end();
        this.begin(indent, this.tokens.pipeBefore(step.span.start.offset), 'cont');
        this.write('|> ');
      }
      render(step, 1, this);
    });
  }

  /** In expand mode an item that would pass the right margin starts a line aligned after `open`. */
  list<T>(open: string, items: readonly T[], close: string, item: (x: T, out: Out) => void, start: (x: T) => number): void {
    this.write(open);
    const column = this.column();
    // A loop, not forEach: nested lists and calls recurse through here, and forEach costs two frames a level.
    for (let i = 0; i < items.length; i++) {
      const x = items[i]!;
      if (i > 0) {
        const w = this.mode === 'expand' ? FlatOut.of(this.tokens, (o) => item(x, o))?.length : undefined;
        // Wrap only where it helps: the item must fit on the new line.
        if (w !== undefined && this.column() + 2 + w + 1 > WIDTH && column + w + 1 <= WIDTH) {
          this.write(',');
          this.end();
          this.begin(column, start(x), 'cont');
        } else this.write(', ');
      }
      item(x, this);
    }
    this.write(close);
  }

  // ---------- lines

  private column(): number {
    return this.cur!.indent + this.cur!.text.length;
  }

  private begin(indent: number, start: number, kind: Line['kind'], forceBlank = false): void {
    this.cur = { indent, text: '', start, end: start, kind, forceBlank };
  }

  private reach(offset: number): void {
    if (this.cur && offset > this.cur.end) this.cur.end = offset;
  }

  private end(): void {
    if (this.cur) this.lines.push(this.cur);
    this.cur = undefined;
  }

  private withMode(mode: 'auto' | 'expand', draw: () => void): void {
    const saved = this.mode;
    this.mode = mode;
    try {
      draw();
    } finally {
      this.mode = saved;
    }
  }
}
