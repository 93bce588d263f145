// The formatter: canonical .arch text from the AST. 2-space indent, 100 columns; a statement that does
// not fit breaks its pipeline one `|>` per line; numbers print as written; comments are kept (see
// format-comments.ts). Idempotent: formatting formatted text changes nothing.
import type * as A from './ast.js';
import { parse, type SyntaxError } from './parser.js';
import { SourceFile } from './source.js';
import { INDENT, writeLines, type Line } from './format-comments.js';
import { TokenIndex } from './format-tokens.js';

export const WIDTH = 100;
/** Extra indent of a broken pipeline's `|>` lines. */
const CONTINUATION = 4;

export interface FormatResult {
  /** The canonical text; absent when the file has syntax errors (nothing is formatted then). */
  readonly text?: string;
  readonly errors: readonly SyntaxError[];
}

export function format(source: SourceFile): FormatResult {
  const parsed = parse(source);
  if (parsed.errors.length) return { errors: parsed.errors };
  const tokens = new TokenIndex(source.text);
  const layout = new Layout(tokens);
  layout.file(parsed.file);
  return { text: writeLines(layout.lines, tokens.comments, source.text), errors: [] };
}

export function formatText(text: string, path = '<input>'): FormatResult {
  return format(new SourceFile(path, text));
}

// ---------- expressions, written to any Out

/** Binding strength, loosest first, as in the parser: |>, or, and, not, comparison, + -, * / %, unary -, postfix. */
function precedence(e: A.Expr): number {
  switch (e.kind) {
    case 'pipe':
      return 0;
    case 'binary':
      return e.op === 'or' ? 1 : e.op === 'and' ? 2 : ['+', '-'].includes(e.op) ? 5 : ['*', '/', '%'].includes(e.op) ? 6 : 4;
    case 'unary':
      return e.op === 'not' ? 3 : 7;
    case 'member':
    case 'index':
    case 'call':
      return 8;
    default:
      return 9;
  }
}

interface Out {
  write(text: string): void;
  /** Called after each expression is written (the layout tracks how far in the source a line got). */
  done(e: A.Expr): void;
  ifExpr(e: A.IfExpr): void;
  pipe(e: A.PipeExpr): void;
  list<T>(open: string, items: readonly T[], close: string, item: (x: T, out: Out) => void, start: (x: T) => number): void;
}

function render(e: A.Expr, min: number, out: Out): void {
  const p = precedence(e);
  if (p < min) out.write('(');
  switch (e.kind) {
    case 'number':
      out.write(e.raw);
      break;
    case 'string':
      out.write(quote(e.value));
      break;
    case 'bool':
      out.write(String(e.value));
      break;
    case 'none':
      out.write('none');
      break;
    case 'name':
      out.write(e.name);
      break;
    case 'list':
      out.list('[', e.items, ']', (x, o) => render(x, 0, o), (x) => x.span.start.offset);
      break;
    case 'member':
      render(e.object, 8, out);
      out.write(`.${e.property}`);
      break;
    case 'index':
      render(e.object, 8, out);
      out.write('[');
      render(e.index, 0, out);
      out.write(']');
      break;
    case 'call':
      render(e.callee, 8, out);
      out.list('(', e.args, ')', (a, o) => renderArg(a, o), (a) => a.span.start.offset);
      break;
    case 'pipe':
      out.pipe(e);
      break;
    case 'binary': {
      const comparison = p === 4;
      render(e.left, comparison ? 5 : p, out);
      out.write(` ${e.op} `);
      render(e.right, comparison ? 5 : p + 1, out);
      break;
    }
    case 'unary':
      out.write(e.op === 'not' ? 'not ' : '-');
      render(e.operand, e.op === 'not' ? 3 : 7, out);
      break;
    case 'if':
      out.ifExpr(e);
      break;
  }
  if (p < min) out.write(')');
  out.done(e);
}

function renderArg(a: A.Arg, out: Out): void {
  if (a.name !== undefined) out.write(`${a.name}=`);
  render(a.value, 0, out);
}

function renderParam(p: A.Param, out: Out): void {
  out.write(p.name);
  if (!p.default) return;
  out.write(' = ');
  render(p.default, 0, out);
}

export function quote(s: string): string {
  return `"${s.replace(/[\\"\n\t]/g, (c) => (c === '\n' ? '\\n' : c === '\t' ? '\\t' : `\\${c}`))}"`;
}

// ---------- statements as parts: text and expressions, one of which may be a breakable pipeline

type Part = string | A.Expr;

interface Simple {
  readonly parts: Part[];
  /** The index of the part whose pipeline breaks one `|>` per line when the line is too long. */
  readonly main?: number;
}

function simple(s: A.Stmt): Simple | undefined {
  switch (s.kind) {
    case 'input':
      return { parts: [`input ${s.name}: `, s.shape] };
    case 'output': {
      const parts: Part[] = [`output ${s.name}`];
      if (s.value) parts.push(' = ', s.value);
      if (s.annotation) parts.push(s.value ? ' : ' : ': ', s.annotation);
      return { parts, main: s.value ? 2 : undefined };
    }
    case 'assign': {
      const parts: Part[] = [`${s.targets.map((t) => t.name).join(', ')} = `, s.value];
      if (s.annotation) parts.push(' : ', s.annotation);
      return { parts, main: 1 };
    }
    case 'return':
      return { parts: ['return ', ...s.values.flatMap((v, i) => (i ? [', ', v] : [v]))], main: s.values.length === 1 ? 1 : undefined };
    case 'expect':
      return { parts: ['expect ', s.condition], main: 1 };
    case 'expr':
      return { parts: [s.expr], main: 0 };
    case 'for':
    case 'frozen':
      return undefined;
  }
}

/** The stages of a pipeline, `a |> b |> c` → [a, b, c]. */
function stages(e: A.Expr): A.Expr[] {
  return e.kind === 'pipe' ? [...stages(e.lhs), e.rhs] : [e];
}

// ---------- one-line rendering

const NOT_FLAT = Symbol('not flat');

/** Renders on one line; an `if` goes inline only when it is short-bodied and has no comments. */
class FlatOut implements Out {
  text = '';

  constructor(private readonly tokens: TokenIndex) {}

  write(text: string): void {
    this.text += text;
  }

  done(): void {}

  ifExpr(e: A.IfExpr): void {
    const branches = [e.then, e.else ?? []];
    if (!branches.every((b) => b.length === 0 || (b.length === 1 && simple(b[0]!)))) throw NOT_FLAT;
    if (this.tokens.commentIn(e.span.start.offset, e.span.end.offset)) throw NOT_FLAT;
    this.write('if ');
    render(e.condition, 0, this);
    this.write(' ');
    this.branch(e.then);
    if (!e.else) return;
    this.write(' else ');
    const only = e.else.length === 1 ? e.else[0]! : undefined;
    if (only?.kind === 'expr' && only.expr.kind === 'if') this.ifExpr(only.expr);
    else this.branch(e.else);
  }

  pipe(e: A.PipeExpr): void {
    render(e.lhs, 0, this);
    this.write(' |> ');
    render(e.rhs, 1, this);
  }

  private branch(body: readonly A.Stmt[]): void {
    if (body.length === 0) return this.write('{}');
    this.write('{ ');
    for (const p of simple(body[0]!)!.parts) typeof p === 'string' ? this.write(p) : render(p, 0, this);
    this.write(' }');
  }

  list<T>(open: string, items: readonly T[], close: string, item: (x: T, out: Out) => void): void {
    this.write(open);
    items.forEach((x, i) => {
      if (i) this.write(', ');
      item(x, this);
    });
    this.write(close);
  }

  static of(tokens: TokenIndex, draw: (out: FlatOut) => void): string | undefined {
    const out = new FlatOut(tokens);
    try {
      draw(out);
    } catch (e) {
      if (e === NOT_FLAT) return undefined;
      throw e;
    }
    return out.text;
  }
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
      const force = k > 0 && (item.kind !== 'use' || f.items[k - 1]!.kind !== 'use');
      if (item.kind === 'use') {
        this.begin(0, item.span.start.offset, 'unit', force);
        this.write(`use ${quote(item.path)}`);
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

  private statement(s: A.Stmt, indent: number): void {
    if (s.kind === 'for' || s.kind === 'frozen') {
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
      return;
    }
    const { parts, main } = simple(s)!;
    const flat = FlatOut.of(this.tokens, (out) => writeParts(parts, out));
    const pipe = main === undefined ? undefined : (parts[main] as A.Expr);
    const steps = pipe ? stages(pipe) : [];
    const forced = steps.length > 1 && this.tokens.commentIn(pipe!.span.start.offset + 1, steps.at(-1)!.span.start.offset);
    this.begin(indent, s.span.start.offset, 'unit');
    if (flat !== undefined && indent + flat.length <= WIDTH && !forced) this.write(flat);
    else if (steps.length > 1) this.pipeline(parts, main!, steps, indent);
    else this.withMode('expand', () => writeParts(parts, this));
    this.reach(s.span.end.offset);
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
    for (const s of body) this.statement(s, indent + INDENT);
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
    items.forEach((x, i) => {
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
    });
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

function writeParts(parts: readonly Part[], out: Out): void {
  for (const p of parts) typeof p === 'string' ? out.write(p) : render(p, 0, out);
}
